"""Counter-based random streams for the batch engine, compiled with numba.

Replication ``r`` of a run seeded with ``seed`` draws from its own stream, a function of
``(seed, r)`` alone: the same numbers whether it runs alone, in a batch, in any order or in
any process. The stream is Philox4x32-10 (Salmon, Moraes, Dror & Shaw 2011, "Parallel random
numbers: as easy as 1, 2, 3", SC'11; the Random123 library) used as a counter-based generator:

- the key ``(k0, k1)`` belongs to the run: ``numpy.random.SeedSequence(seed).generate_state(2,
  np.uint32)`` (see :func:`run_key`);
- the counter of block ``b`` of replication ``r`` is ``(b_lo, b_hi, r_lo, r_hi)``, the low and
  high 32-bit halves of ``b`` and ``r``; blocks ``b = 0, 1, 2, ...`` are used in order, and block
  ``b``'s output ``(c0, c1, c2, c3)`` gives the 64-bit words ``c0 | c1 << 32`` and then
  ``c2 | c3 << 32``.

No state is set up per replication, so a stream costs nothing to start, and a number costs a
few nanoseconds: blocks are computed 64 at a time in SIMD lanes (which changes nothing in the
stream), and :func:`noise_block` can spread replications over threads.

From the stream's 64-bit words:

- a uniform in ``[0, 1)`` is ``(word >> 11) * 2**-53``;
- a standard normal comes from the 256-layer ziggurat of Marsaglia & Tsang (2000, "The
  ziggurat method for generating random variables", J. Stat. Softw. 5(8)) with the
  independent-bits layout of Doornik (2005, "An improved ziggurat method to generate normal
  random samples"), on 32 bits: a word's low half gives one normal and its high half the next
  (the low 8 bits of a half pick the layer, the next bit the sign, the next 23 bits the
  magnitude), so a word gives two normals, half the Philox work of NumPy's 64-bit layout. A
  23-bit magnitude puts the normals on a grid of at most 2**-23 of a layer's width (below 5e-7),
  far below anything the model resolves. Nearly always (98.5%) a half gives its number at once;
  the rare slow paths (the base strip's tail beyond ``r``, drawn by Marsaglia's 1964 method,
  and the wedge test) take further whole words from the same stream, and a rejected half is
  replaced by the low half of the next word (its high half is not used). The tables follow
  Marsaglia & Tsang's construction with ``r = 3.6541528853610088`` and the layer area ``v``
  computed from ``r`` (see :data:`ZIGGURAT_V`).

A replication's month-by-month draws (:func:`replication_noise`) are all its normals, then all
its uniforms, read from the stream in that order (a half word left over after the last normal
is not used).
"""

from __future__ import annotations

import math
import numbers
import os
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import numpy as np

from sim.jitcache import borrowed, compiled

#: Standard normals per replication and month.
N_NORMAL = 14
#: Uniforms in ``[0, 1)`` per replication and month.
N_UNIFORM = 3

# --- Philox4x32-10 ------------------------------------------------------------------------------
# Values are carried as uint64 holding 32-bit quantities: one 64-bit product gives both halves
# of a 32 x 32-bit multiplication.

_MASK32 = np.uint64(0xFFFFFFFF)
_SHIFT32 = np.uint64(32)
_PHILOX_M0 = np.uint64(0xD2511F53)  # round multipliers
_PHILOX_M1 = np.uint64(0xCD9E8D57)
_PHILOX_W0 = np.uint64(0x9E3779B9)  # Weyl sequence bumps of the key: golden ratio
_PHILOX_W1 = np.uint64(0xBB67AE85)  # sqrt(3) - 1


@compiled(inline="always")
def _philox_round(c0, c1, c2, c3, k0, k1):
    p0 = _PHILOX_M0 * c0
    p1 = _PHILOX_M1 * c2
    return ((p1 >> _SHIFT32) ^ c1 ^ k0, p1 & _MASK32, (p0 >> _SHIFT32) ^ c3 ^ k1, p0 & _MASK32)


@compiled(inline="always")
def _philox64(c0, c1, c2, c3, k0, k1):
    """Philox4x32-10 on uint64 arguments that hold 32-bit values; returns four such values."""
    c0, c1, c2, c3 = _philox_round(c0, c1, c2, c3, k0, k1)
    for _ in range(9):
        k0 = (k0 + _PHILOX_W0) & _MASK32
        k1 = (k1 + _PHILOX_W1) & _MASK32
        c0, c1, c2, c3 = _philox_round(c0, c1, c2, c3, k0, k1)
    return c0, c1, c2, c3


@compiled(inline="always")
def philox4x32(c0, c1, c2, c3, k0, k1):
    """Philox4x32-10: the block ``(c0, c1, c2, c3)`` of counter words under the key ``(k0, k1)``.

    Arguments are integers in ``[0, 2**32)``; returns four ``np.uint32``. Ten rounds with the
    Random123 constants: multipliers ``0xD2511F53`` and ``0xCD9E8D57``, key bumps
    ``0x9E3779B9`` and ``0xBB67AE85`` (Salmon et al. 2011).
    """
    m = _MASK32
    r0, r1, r2, r3 = _philox64(np.uint64(c0) & m, np.uint64(c1) & m, np.uint64(c2) & m, np.uint64(c3) & m,
                               np.uint64(k0) & m, np.uint64(k1) & m)
    return np.uint32(r0), np.uint32(r1), np.uint32(r2), np.uint32(r3)


# Words are made _BLOCKS blocks at a time into a small buffer, four blocks per loop step: the
# compiler runs independent blocks side by side in SIMD lanes, and the four chains of rounds
# hide each other's latency. Buffering changes only speed, never the stream.
_BLOCKS = 64
_WORDS = 2 * _BLOCKS


@compiled()
def _refill(buf, block, r_lo, r_hi, k0, k1):
    """Fill ``buf`` with the words of blocks ``block, block + 1, ...`` of one replication."""
    # 32-bit values, and the compiler knows it: one SIMD multiply each, not a 64-bit emulation
    r_lo, r_hi, k0, k1 = r_lo & _MASK32, r_hi & _MASK32, k0 & _MASK32, k1 & _MASK32
    q = _BLOCKS // 4
    for j in range(q):
        b = block + np.uint64(j)
        a0, a1, a2, a3 = _philox64(b & _MASK32, b >> _SHIFT32, r_lo, r_hi, k0, k1)
        b += np.uint64(q)
        b0, b1, b2, b3 = _philox64(b & _MASK32, b >> _SHIFT32, r_lo, r_hi, k0, k1)
        b += np.uint64(q)
        c0, c1, c2, c3 = _philox64(b & _MASK32, b >> _SHIFT32, r_lo, r_hi, k0, k1)
        b += np.uint64(q)
        d0, d1, d2, d3 = _philox64(b & _MASK32, b >> _SHIFT32, r_lo, r_hi, k0, k1)
        buf[2 * j] = a0 | (a1 << _SHIFT32)
        buf[2 * j + 1] = a2 | (a3 << _SHIFT32)
        buf[2 * (j + q)] = b0 | (b1 << _SHIFT32)
        buf[2 * (j + q) + 1] = b2 | (b3 << _SHIFT32)
        buf[2 * (j + 2 * q)] = c0 | (c1 << _SHIFT32)
        buf[2 * (j + 2 * q) + 1] = c2 | (c3 << _SHIFT32)
        buf[2 * (j + 3 * q)] = d0 | (d1 << _SHIFT32)
        buf[2 * (j + 3 * q) + 1] = d2 | (d3 << _SHIFT32)


@compiled(inline="always")
def _next_word(buf, pos, block, r_lo, r_hi, k0, k1):
    """The stream's next word; returns ``(word, pos, block)`` with the buffer position and the
    next block to compute updated."""
    if pos == _WORDS:
        _refill(buf, block, r_lo, r_hi, k0, k1)
        block += np.uint64(_BLOCKS)
        pos = 0
    return buf[pos], pos + 1, block


# --- Ziggurat ------------------------------------------------------------------------------------

#: Right edge of the base strip of the 256-layer ziggurat for the normal density.
ZIGGURAT_R = 3.6541528853610088
#: Area of each layer under ``f(x) = exp(-x**2 / 2)``: that of the base strip, ``r f(r)`` plus the
#: tail beyond ``r``. Marsaglia & Tsang publish 0.00492867323399; computed here to full precision
#: (3e-12 relative from the published value) the layers close at the top, ``x[1] (1 - f(x[1])) = v``
#: to 1e-15, and the tables agree with NumPy's to 1e-13.
ZIGGURAT_V = (ZIGGURAT_R * math.exp(-0.5 * ZIGGURAT_R**2)
              + math.sqrt(0.5 * math.pi) * math.erfc(ZIGGURAT_R * math.sqrt(0.5)))


def _ziggurat_tables(r: float = ZIGGURAT_R, v: float = ZIGGURAT_V, layers: int = 256,
                     bits: int = 52) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Marsaglia & Tsang's (2000) tables for ``f(x) = exp(-x**2 / 2)``, as ``(ki, wi, fi)``.

    Layer edges: ``x[layers - 1] = r`` and ``x[i] = f^-1(v / x[i + 1] + f(x[i + 1]))`` down to
    ``x[1]``, with ``x[0] = 0``; so layer ``i >= 1`` is the box ``[0, x[i]] x [f(x[i]), f(x[i-1])]``
    of area ``v``. Layer 0 is the base strip ``[0, r] x [0, f(r)]`` plus the tail beyond ``r``,
    also of area ``v``, drawn as a box of width ``q = v / f(r)``. A magnitude ``m`` of ``bits``
    bits gives ``x = m * wi[i]``, accepted at once if ``m < ki[i]``; ``fi[i] = f(x[i])``.
    """
    scale = 2.0**bits
    x = np.zeros(layers)
    x[-1] = r
    for i in range(layers - 2, 0, -1):
        x[i] = math.sqrt(-2.0 * math.log(v / x[i + 1] + math.exp(-0.5 * x[i + 1] ** 2)))
    q = v / math.exp(-0.5 * r * r)
    ki = np.zeros(layers, dtype=np.uint64)
    ki[0] = int(r / q * scale)
    for i in range(2, layers):
        ki[i] = int(x[i - 1] / x[i] * scale)
    wi = x / scale
    wi[0] = q / scale
    fi = np.exp(-0.5 * x * x)
    return ki, wi, fi


#: The tables at NumPy's 52-bit resolution (compared with NumPy's in the tests)...
_KI, _WI, _FI = _ziggurat_tables()
#: ... and at the 23-bit resolution of a half word, which the stream uses.
_KI23, _WI23, _ = _ziggurat_tables(bits=23)
# The widths with the sign folded in, indexed by the half's low 9 bits (layer, then sign): a
# random sign by a branch would be mispredicted half the time, and cost more than the rest.
_WI_SIGNED = np.concatenate([_WI23, -_WI23])
_INV_R = 1.0 / ZIGGURAT_R
_LAYER = np.uint64(0xFF)
_LAYER_SIGN = np.uint64(0x1FF)
_MAG_SHIFT = np.uint64(9)
_MAG_MASK = np.uint64((1 << 23) - 1)
_U_SHIFT = np.uint64(11)
_U_SCALE = 2.0**-53


@compiled(inline="always")
def _uniform(word):
    return np.int64(word >> _U_SHIFT) * _U_SCALE


@compiled()
def _normal_rare(buf, pos, block, r_lo, r_hi, k0, k1, half):
    """A standard normal from the half word ``half``, which fell outside its layer's core
    rectangle: the tail or wedge test, and on rejection the low half of the next word, until
    one is accepted; returns ``(z, pos, block)`` like :func:`_next_word`. Kept out of the fast
    path's loop."""
    while True:
        i = np.intp(half & _LAYER)
        mag = (half >> _MAG_SHIFT) & _MAG_MASK
        x = np.int64(mag) * _WI_SIGNED[np.intp(half & _LAYER_SIGN)]
        if mag < _KI23[i]:
            return x, pos, block
        if i == 0:  # beyond r in the base strip: a draw from the tail (Marsaglia 1964)
            while True:
                word, pos, block = _next_word(buf, pos, block, r_lo, r_hi, k0, k1)
                xx = -_INV_R * math.log1p(-_uniform(word))
                word, pos, block = _next_word(buf, pos, block, r_lo, r_hi, k0, k1)
                yy = -math.log1p(-_uniform(word))
                if yy + yy > xx * xx:
                    return math.copysign(ZIGGURAT_R + xx, x), pos, block  # x carries the sign bit, even at 0
        else:  # in the wedge between the rectangle and the curve: accept below f(x)
            word, pos, block = _next_word(buf, pos, block, r_lo, r_hi, k0, k1)
            if _FI[i] + (_FI[i - 1] - _FI[i]) * _uniform(word) < math.exp(-0.5 * x * x):
                return x, pos, block
        word, pos, block = _next_word(buf, pos, block, r_lo, r_hi, k0, k1)
        half = word & _MASK32


# --- Streams -------------------------------------------------------------------------------------


@compiled(inline="always")
def _half_normal(buf, pos, block, r_lo, r_hi, k0, k1, half):
    """The standard normal of the half word ``half``: the ziggurat's fast path, else
    :func:`_normal_rare`; returns ``(z, pos, block)`` like :func:`_next_word`."""
    mag = (half >> _MAG_SHIFT) & _MAG_MASK
    if mag < _KI23[np.intp(half & _LAYER)]:  # inside the layer's core rectangle: 98.5% of halves
        return np.int64(mag) * _WI_SIGNED[np.intp(half & _LAYER_SIGN)], pos, block
    return _normal_rare(buf, pos, block, r_lo, r_hi, k0, k1, half)


@compiled()
def _fill(k0, k1, replication, normal, uniform, buf, normals, uniforms):
    """:func:`replication_draws` with ``buf`` (``_WORDS`` uint64) as the word buffer."""
    k0 = np.uint64(k0)
    k1 = np.uint64(k1)
    rep = np.uint64(replication)
    r_lo = rep & _MASK32
    r_hi = rep >> _SHIFT32
    pos = _WORDS
    block = np.uint64(0)
    # the buffer and the draws in flat order, as views that are not reference-counted: each
    # number would otherwise cost an atomic increment and decrement of the buffer's count
    buf = borrowed(buf)
    if normals:
        z = borrowed(normal).reshape(normal.size)
        n = z.shape[0]
        k = 0
        while k < n:  # a word at a time: its low half, then its high half
            if pos == _WORDS:
                _refill(buf, block, r_lo, r_hi, k0, k1)
                block += np.uint64(_BLOCKS)
                pos = 0
            word = buf[pos]
            pos += 1
            z[k], pos, block = _half_normal(buf, pos, block, r_lo, r_hi, k0, k1, word & _MASK32)
            if k + 1 < n:
                z[k + 1], pos, block = _half_normal(buf, pos, block, r_lo, r_hi, k0, k1, word >> _SHIFT32)
            k += 2
    if uniforms:
        v = borrowed(uniform).reshape(uniform.size)
        n = v.shape[0]
        k = 0
        while k < n:  # the words left in the buffer, then a refill
            if pos == _WORDS:
                _refill(buf, block, r_lo, r_hi, k0, k1)
                block += np.uint64(_BLOCKS)
                pos = 0
            take = min(n - k, _WORDS - pos)
            for j in range(take):
                v[k + j] = _uniform(buf[pos + j])
            pos += take
            k += take


@compiled(nogil=True)
def replication_draws(k0, k1, replication, normal, uniform, normals, uniforms):
    """The draws of replication ``replication >= 0`` under the run key ``(k0, k1)``
    (:func:`run_key`) that the mechanisms switched on use: ``normal`` ``(months, N_NORMAL)``
    gets standard normals if ``normals``, then ``uniform`` ``(months, N_UNIFORM)`` uniforms in
    ``[0, 1)`` if ``uniforms``, both float64 and row by row, read from the stream in that order;
    an array not drawn is left as it is. With both, this is :func:`replication_noise`; without
    the normals, the uniforms are the stream's first words (see :func:`draws`)."""
    _fill(k0, k1, replication, normal, uniform, np.empty(_WORDS, dtype=np.uint64), normals, uniforms)


@compiled(nogil=True)
def replication_noise(k0, k1, replication, normal, uniform):
    """Fill ``normal`` ``(months, N_NORMAL)`` with standard normals and then ``uniform``
    ``(months, N_UNIFORM)`` with uniforms in ``[0, 1)``, both float64 and row by row, from the
    stream of replication ``replication >= 0`` under the run key ``(k0, k1)`` (:func:`run_key`).

    Callable from Python and from numba-compiled code; nothing is checked here (a negative
    ``replication`` wraps around to a large one), :func:`noise_block` validates its input.
    """
    _fill(k0, k1, replication, normal, uniform, np.empty(_WORDS, dtype=np.uint64), True, True)


@compiled(nogil=True)
def noise_into(k0, k1, replications, normal, uniform):
    """:func:`replication_noise` for each replication: row ``i`` of ``normal``
    ``(n, months, N_NORMAL)`` and of ``uniform`` ``(n, months, N_UNIFORM)`` gets the draws of
    replication ``replications[i]`` (an int64 array of ``n`` values ``>= 0``). Releases the GIL,
    so threads can fill disjoint rows at once."""
    buf = np.empty(_WORDS, dtype=np.uint64)
    for i in range(replications.shape[0]):
        _fill(k0, k1, replications[i], normal[i], uniform[i], buf, True, True)


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


def run_key(seed: int) -> tuple[int, int]:
    """The Philox key ``(k0, k1)`` of a run seeded with ``seed``: two 32-bit integers,
    ``numpy.random.SeedSequence(seed).generate_state(2, np.uint32)``.

    Raises ``ValueError`` unless ``seed`` is an integer ``>= 0``.
    """
    if not _is_int(seed) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    k0, k1 = np.random.SeedSequence(int(seed)).generate_state(2, np.uint32)
    return int(k0), int(k1)


#: Fewest numbers :func:`noise_block` spreads over threads (starting one costs ~0.1 ms).
PARALLEL_MIN_NUMBERS = 1 << 20


def _available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def noise_block(seed: int, replications, months: int, out: tuple[np.ndarray, np.ndarray] | None = None,
                *, workers: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Normals ``(n, months, N_NORMAL)`` and uniforms ``(n, months, N_UNIFORM)`` (float64) of
    the ``n`` given replications of the run seeded with ``seed``, each from its own stream.

    ``out``, if given, is a pair of float64 arrays with at least ``n`` rows and the same
    trailing shapes; their first ``n`` rows are filled and returned (reusing one buffer across
    chunks saves the page faults of fresh memory). ``workers`` threads fill disjoint runs of
    rows (default: the CPUs this process may use, once there are ``PARALLEL_MIN_NUMBERS``
    numbers to draw; 1 otherwise); the numbers do not depend on it. Raises ``ValueError`` for a
    seed or replication that is not an integer ``>= 0``, ``months < 1``, ``workers < 1``, or an
    ``out`` of the wrong shape.
    """
    k0, k1 = run_key(seed)
    if not _is_int(months) or months < 1:
        raise ValueError(f"months must be an integer >= 1, got {months!r}")
    reps = np.asarray(replications)
    if reps.size == 0:
        reps = reps.astype(np.int64)
    if reps.ndim != 1 or not np.issubdtype(reps.dtype, np.integer):
        raise ValueError(f"replications must be a 1-d sequence of integers >= 0, got {replications!r}")
    if reps.size and reps.min() < 0:
        raise ValueError(f"replications must be integers >= 0, got {int(reps.min())}")
    if reps.dtype == np.uint64 and reps.size and reps.max() > np.iinfo(np.int64).max:
        raise ValueError(f"replications must be integers in [0, 2**63), got {int(reps.max())}")
    reps = reps.astype(np.int64, copy=False)
    n = len(reps)
    shapes = ((n, months, N_NORMAL), (n, months, N_UNIFORM))
    if out is None:
        normal, uniform = np.empty(shapes[0]), np.empty(shapes[1])
    else:
        for a, shape in zip(out, shapes, strict=True):
            if a.dtype != np.float64 or a.ndim != 3 or a.shape[1:] != shape[1:] or a.shape[0] < n:
                raise ValueError(f"out must hold float64 arrays of shapes {shapes[0]} and {shapes[1]} "
                                 f"(or more rows), got {[(b.dtype.name, b.shape) for b in out]}")
        normal, uniform = out[0][:n], out[1][:n]
    if workers is None:
        workers = _available_cpus() if n * months * (N_NORMAL + N_UNIFORM) >= PARALLEL_MIN_NUMBERS else 1
    elif not _is_int(workers) or workers < 1:
        raise ValueError(f"workers must be an integer >= 1, got {workers!r}")
    workers = max(1, min(workers, n))
    if workers == 1:
        noise_into(k0, k1, reps, normal, uniform)
        return normal, uniform
    edges = [n * w // workers for w in range(workers + 1)]
    with ThreadPoolExecutor(workers - 1) as pool:
        parts = [pool.submit(noise_into, k0, k1, reps[a:b], normal[a:b], uniform[a:b])
                 for a, b in pairwise(edges[1:])]
        noise_into(k0, k1, reps[:edges[1]], normal[:edges[1]], uniform[:edges[1]])
        for part in parts:
            part.result()
    return normal, uniform
