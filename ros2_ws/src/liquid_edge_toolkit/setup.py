from setuptools import find_packages, setup

package_name = 'liquid_edge_toolkit'

setup(
    name=package_name,
    version='0.1.0',
    packages=find_packages(exclude=['test']),
    data_files=[
        ('share/ament_index/resource_index/packages', ['resource/' + package_name]),
        ('share/' + package_name, ['package.xml']),
    ],
    install_requires=['setuptools'],
    zip_safe=True,
    maintainer='LIQUID EDGE founders',
    maintainer_email='founders@liquid-edge.dev',
    description='Shared node toolkit: QoS profiles, descriptors, run_node, test helpers.',
    license='Apache-2.0',
    extras_require={'test': ['pytest']},
    entry_points={
        'pytest11': ['liquid_edge_toolkit = liquid_edge_toolkit.pytest_plugin'],
    },
)
