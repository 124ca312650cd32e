"""The LIQUID EDGE .proto files and their Python stubs, generated at build time."""
import pathlib

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = pathlib.Path(__file__).resolve().parent
PACKAGE = 'liquid_edge_protocol'


class BuildWithProtoc(build_py):
    """Runs grpcio-tools' protoc on the package's .proto files before building."""

    def run(self):
        from grpc_tools import protoc
        import grpc_tools

        include = str(pathlib.Path(grpc_tools.__file__).parent / '_proto')
        for proto in sorted((HERE / PACKAGE).glob('*.proto')):
            args = ['protoc', f'-I{HERE}', f'-I{include}', f'--python_out={HERE}',
                    f'--pyi_out={HERE}', f'--grpc_python_out={HERE}',
                    str(proto.relative_to(HERE))]
            if protoc.main(args) != 0:
                raise RuntimeError(f'protoc failed on {proto}')
        super().run()


setup(
    name='liquid-edge-protocol',
    version='1.0.0',
    description='LIQUID EDGE gRPC protocol: the original messages and the v1 API',
    packages=[PACKAGE],
    package_data={PACKAGE: ['*.proto', '*.pyi', 'py.typed']},
    python_requires='>=3.10',
    install_requires=['grpcio>=1.60', 'protobuf>=4.25'],
    cmdclass={'build_py': BuildWithProtoc},
)
