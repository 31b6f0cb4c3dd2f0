"""Reads a generated-world dataset (format dff-world/1, see electron/core/world/README.md) into memory."""
import json
import os
import subprocess
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

FFMPEG = os.environ.get('FFMPEG', '/usr/bin/ffmpeg')


def read_flo(path):
    """Middlebury .flo -> (H, W, 2) float32 (u, v)."""
    with open(path, 'rb') as f:
        magic = np.frombuffer(f.read(4), np.float32)[0]
        if abs(magic - 202021.25) > 1e-3:
            raise ValueError(f'{path}: not a .flo file (magic {magic})')
        w, h = np.frombuffer(f.read(8), np.int32)
        data = np.frombuffer(f.read(), np.float32)
    if data.size != w * h * 2:
        raise ValueError(f'{path}: expected {w}x{h}x2 floats, found {data.size}')
    return data.reshape(h, w, 2).copy()


def decode_video(path, width, height):
    """Every frame of a video as (T, H, W, 3) uint8 RGB, decoded by ffmpeg."""
    out = subprocess.run([FFMPEG, '-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
                         check=True, capture_output=True).stdout
    frame_bytes = width * height * 3
    if len(out) % frame_bytes:
        raise ValueError(f'{path}: decoded {len(out)} bytes, not a whole number of {width}x{height} frames')
    return np.frombuffer(out, np.uint8).reshape(-1, height, width, 3)


@dataclass
class Clip:
    name: str
    frames: np.ndarray  # (T, H, W, 3) uint8
    semantic: np.ndarray  # (T, H, W) uint8 class ids
    flow: np.ndarray  # (T, h, w, 2) float32: flow i -> ref(i) in INPUT pixels, on the flow grid (H/flowScale)
    refs: np.ndarray  # (T,) int: ref(i)
    boxes: list = field(default_factory=list)  # per frame: (N, 7) float32 [x, y, w, h, classId, area, visibleFraction]


@dataclass
class Dataset:
    path: str
    width: int
    height: int
    flow_scale: int
    classes: list  # [{id, name, color}] from meta.json, background excluded
    clips: list

    @property
    def num_frames(self):
        return sum(len(c.frames) for c in self.clips)


def load_clip(clip_dir, name):
    with open(os.path.join(clip_dir, 'meta.json')) as f:
        meta = json.load(f)
    w, h, n = meta['width'], meta['height'], meta['frameCount']
    frames = decode_video(os.path.join(clip_dir, 'video.mp4'), w, h)
    if len(frames) != n:
        raise ValueError(f'{clip_dir}/video.mp4: {len(frames)} frames decoded, meta.json says {n}')
    semantic = np.stack([np.array(Image.open(os.path.join(clip_dir, 'semantic', f'{i:06d}.png'))) for i in range(n)])
    fs = meta.get('flowScale', 1)
    flow = np.stack([read_flo(os.path.join(clip_dir, 'flow', f'{i:06d}.flo')) for i in range(n)]) * fs
    with open(os.path.join(clip_dir, 'annotations.json')) as f:
        ann = json.load(f)
    refs = np.zeros(n, np.int64)
    boxes = [np.zeros((0, 7), np.float32) for _ in range(n)]
    for fr in ann['frames']:
        i = fr['index']
        refs[i] = fr['ref']
        boxes[i] = np.array([[*o['box'], o['classId'], o['area'], o.get('visibleFraction', 1.0)] for o in fr['objects']],
                            np.float32).reshape(-1, 7)
    return meta, Clip(name, frames, semantic.astype(np.uint8), flow.astype(np.float32), refs, boxes)


def load_dataset(path, max_clips=None):
    with open(os.path.join(path, 'dataset.json')) as f:
        info = json.load(f)
    if info.get('format') != 'dff-world/1':
        raise ValueError(f'{path}/dataset.json: format {info.get("format")!r}, expected dff-world/1')
    names = info['clips'][:max_clips] if max_clips else info['clips']
    clips, meta = [], None
    for name in names:
        meta, clip = load_clip(os.path.join(path, name), name)
        clips.append(clip)
    classes = [{'id': c['id'], 'name': c['name'], 'color': c['color']} for c in meta['classes']]
    return Dataset(path, meta['width'], meta['height'], meta.get('flowScale', 1), classes, clips)
