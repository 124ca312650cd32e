"""Darknet models converted to ONNX once and kept on disk, so a restart loads in a moment.

The cached file is named by what determines its content: the digests of the cfg and the
weights, the input size and the converter's format version. A changed file, size or converter
gets a new name; nothing is ever read stale. Files are written to a temporary name and renamed,
so a crash mid-write or two services starting together never leave half a model.
"""
import hashlib
import logging
import os
from pathlib import Path
import tempfile

from liquid_edge.yolo.model_files import file_version

log = logging.getLogger(__name__)

# Bumped whenever the converter's output changes (2: dynamic batch dimension).
CONVERTER_FORMAT_VERSION = 2
CACHE_ENVIRONMENT_VARIABLE = 'LIQUID_EDGE_MODEL_CACHE'


def default_cache_dir() -> Path:
    """Return $LIQUID_EDGE_MODEL_CACHE, else $XDG_CACHE_HOME/liquid-edge (~/.cache/...)."""
    configured = os.environ.get(CACHE_ENVIRONMENT_VARIABLE)
    if configured:
        return Path(configured)
    base = os.environ.get('XDG_CACHE_HOME') or Path.home() / '.cache'
    return Path(base) / 'liquid-edge'


def cached_onnx_path(cfg: Path, weights: Path, input_size: int, cache_dir: Path) -> Path:
    """Return where the ONNX conversion of ``cfg`` + ``weights`` at ``input_size`` is kept."""
    cfg_digest = hashlib.sha256(cfg.read_bytes()).hexdigest()[:12]
    return cache_dir / (f'{cfg.stem}-{cfg_digest}-{file_version(weights)}-{input_size}'
                        f'-v{CONVERTER_FORMAT_VERSION}.onnx')


def darknet_as_onnx(cfg: Path, weights: Path, input_size: int, cache_dir: Path) -> Path:
    """Return an ONNX file of the Darknet model: from the cache, or converted and cached.

    Raises ValueError when the converter cannot convert the model, OSError when the cache
    directory cannot be written.
    """
    target = cached_onnx_path(cfg, weights, input_size, cache_dir)
    if target.is_file():
        log.info('ONNX conversion found in the cache', extra={'model': str(target)})
        return target
    # The converter needs the onnx package, which an OpenCV-only image does not carry.
    import onnx
    from liquid_edge.yolo.darknet_onnx import convert_darknet_to_onnx
    model = convert_darknet_to_onnx(cfg, weights, input_size)
    cache_dir.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=f'.{target.name}.', dir=cache_dir)
    os.close(handle)
    try:
        onnx.save(model, partial)
        # mkstemp makes the file private; the images convert as root at build time for a
        # service that runs as another user.
        os.chmod(partial, 0o644)
        os.replace(partial, target)
    finally:
        Path(partial).unlink(missing_ok=True)
    log.info('converted the Darknet model to ONNX and cached it', extra={'model': str(target)})
    return target
