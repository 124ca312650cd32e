"""Darknet model files: the .cfg network description and the .weights file (numpy only)."""
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Darknet writes `seen` (images trained on) as int64 from format version 0.2 on, else int32.
_WIDE_SEEN_VERSION = 2
_HEADER_INT32_COUNT = 3


class DarknetFormatError(ValueError):
    """A Darknet cfg or weights file that cannot be read as one."""


@dataclass(frozen=True)
class DarknetSection:
    """One ``[kind]`` section of a cfg with its ``key=value`` options and starting line."""

    kind: str
    options: dict[str, str]
    line: int

    def error(self, message: str) -> DarknetFormatError:
        """Return an error that names this section and its line."""
        return DarknetFormatError(f'[{self.kind}] at line {self.line}: {message}')

    def get_int(self, key: str, default: int | None = None) -> int:
        """Return an integer option; raise if it is missing without a default or malformed."""
        return self._convert(key, default, int)

    def get_float(self, key: str, default: float | None = None) -> float:
        """Return a float option; raise if it is missing without a default or malformed."""
        return self._convert(key, default, float)

    def get_str(self, key: str, default: str | None = None) -> str:
        """Return a text option; raise if it is missing without a default."""
        return self._convert(key, default, str)

    def get_ints(self, key: str, default: list[int] | None = None) -> list[int]:
        """Return a comma-separated integer list option (``mask = 3,4,5``)."""
        return self._convert(key, default, lambda text: [
            int(item) for item in text.split(',') if item.strip()])

    def _convert(self, key, default, convert):
        if key not in self.options:
            if default is None:
                raise self.error(f'needs option {key}')
            return default
        try:
            return convert(self.options[key])
        except ValueError as error:
            raise self.error(f'option {key}={self.options[key]} is malformed') from error


def parse_darknet_cfg(text: str) -> list[DarknetSection]:
    """Parse cfg text into sections; the first one must be ``[net]`` (or ``[network]``)."""
    sections: list[DarknetSection] = []
    for line_number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.split('#', 1)[0].split(';', 1)[0].strip()
        if not line:
            continue
        if line.startswith('[') and line.endswith(']'):
            sections.append(DarknetSection(line[1:-1].strip().lower(), {}, line_number))
        elif '=' in line and sections:
            key, value = line.split('=', 1)
            sections[-1].options[key.strip()] = value.strip()
        else:
            raise DarknetFormatError(f'cfg line {line_number} is neither a [section] nor a '
                                     f'key=value option of one: {raw_line!r}')
    if not sections or sections[0].kind not in ('net', 'network'):
        raise DarknetFormatError('a Darknet cfg must start with a [net] section')
    return sections


@dataclass(frozen=True)
class DarknetWeightsHeader:
    """Format version of a weights file and how many images the network was trained on."""

    major: int
    minor: int
    revision: int
    seen: int


class DarknetWeights:
    """The float32 values of a .weights file, handed out in file order."""

    def __init__(self, path: str | Path):
        """Read the header and all values of ``path``."""
        raw = Path(path).read_bytes()
        header_size = _HEADER_INT32_COUNT * 4
        if len(raw) < header_size:
            raise DarknetFormatError(f'{path} is too short for a Darknet weights file')
        major, minor, revision = np.frombuffer(raw, dtype='<i4', count=_HEADER_INT32_COUNT)
        seen_dtype = '<i8' if major * 10 + minor >= _WIDE_SEEN_VERSION else '<i4'
        seen = np.frombuffer(raw, dtype=seen_dtype, count=1, offset=header_size)
        values_offset = header_size + np.dtype(seen_dtype).itemsize
        if (len(raw) - values_offset) % 4:
            raise DarknetFormatError(f'{path} does not hold a whole number of float32 values')
        self.header = DarknetWeightsHeader(int(major), int(minor), int(revision), int(seen[0]))
        self._values = np.frombuffer(raw, dtype='<f4', offset=values_offset)
        self._position = 0
        self._path = path

    @property
    def remaining(self) -> int:
        """Return how many values have not been taken yet."""
        return len(self._values) - self._position

    def take(self, count: int) -> np.ndarray:
        """Return the next ``count`` values; raise if the file has fewer left."""
        if count > self.remaining:
            raise DarknetFormatError(
                f'{self._path} ends after {len(self._values)} values but the cfg needs more; '
                f'the weights do not belong to this cfg')
        values = self._values[self._position:self._position + count]
        self._position += count
        return values
