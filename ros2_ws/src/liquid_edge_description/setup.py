from setuptools import setup

package_name = 'liquid_edge_description'

setup(
    name=package_name,
    version='0.1.0',
    packages=[package_name],
    data_files=[
        ('share/ament_index/resource_index/packages', ['resource/' + package_name]),
        ('share/' + package_name, ['package.xml']),
        ('share/' + package_name + '/urdf', ['urdf/robomaster_s1.urdf']),
    ],
    install_requires=['setuptools'],
    zip_safe=True,
    maintainer='LIQUID EDGE founders',
    maintainer_email='founders@liquid-edge.dev',
    description='URDF of the Robomaster S1 for robot_state_publisher.',
    license='Apache-2.0',
    extras_require={'test': ['pytest']},
)
