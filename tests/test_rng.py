"""The counter-based streams of ``sim.rng``: Philox4x32-10 known answers, the ziggurat's tables,
the layout of a replication's stream against a plain-Python reference, the distribution of the
numbers, the independence of streams, and input errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numba import njit
from scipy import stats

from sim import rng
from sim.rng import N_NORMAL, N_UNIFORM, noise_block, noise_into, philox4x32, replication_noise, run_key

MASK = 0xFFFFFFFF
SEED = 20240611

# Random123's kat_vectors for philox4x32_10: counter[4] key[2] -> output[4]
KAT = [
    ((0x00000000, 0x00000000, 0x00000000, 0x00000000), (0x00000000, 0x00000000),
     (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF), (0xFFFFFFFF, 0xFFFFFFFF),
     (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]


def philox_reference(counter, key):
    """Philox4x32-10 in plain Python integers, as Salmon et al. (2011) define it."""
    c0, c1, c2, c3 = counter
    k0, k1 = key
    for rnd in range(10):
        if rnd:
            k0, k1 = (k0 + 0x9E3779B9) & MASK, (k1 + 0xBB67AE85) & MASK
        p0, p1 = 0xD2511F53 * c0, 0xCD9E8D57 * c2
        c0, c1, c2, c3 = (p1 >> 32) ^ c1 ^ k0, p1 & MASK, (p0 >> 32) ^ c3 ^ k1, p0 & MASK
    return c0, c1, c2, c3


class ReferenceStream:
    """Replication ``replication``'s stream as the module docstring specifies it, one number at
    a time in plain Python; counts how often each slow path of the ziggurat is taken and
    rejects."""

    def __init__(self, seed: int, replication: int):
        self.key = run_key(seed)
        self.rep = (replication & MASK, replication >> 32)
        self.block, self.words, self.high = 0, [], None
        self.tail = self.tail_rejected = self.wedge = self.wedge_rejected = 0

    def word(self) -> int:
        if not self.words:
            c0, c1, c2, c3 = philox_reference((self.block & MASK, self.block >> 32, *self.rep), self.key)
            self.words = [c2 | c3 << 32, c0 | c1 << 32]  # popped from the end: c0 | c1 << 32 first
            self.block += 1
        return self.words.pop()

    def uniform(self) -> float:
        return (self.word() >> 11) * 2.0**-53

    def half(self) -> int:
        """The next 32 bits for a normal: a word's low half, then its high half."""
        if self.high is not None:
            h, self.high = self.high, None
            return h
        w = self.word()
        self.high = w >> 32
        return w & MASK

    def normal(self) -> float:
        ki, wi, fi, r = rng._KI23, rng._WI23, rng._FI, rng.ZIGGURAT_R
        h = self.half()
        while True:
            i, negative, mag = h & 0xFF, (h >> 8) & 1, h >> 9
            x = -(mag * wi[i]) if negative else mag * wi[i]
            if mag < ki[i]:
                return x
            if i == 0:
                self.tail += 1
                while True:
                    xx = -math.log1p(-self.uniform()) * (1.0 / r)  # as NumPy: times 1 / r
                    yy = -math.log1p(-self.uniform())
                    if yy + yy > xx * xx:
                        return -(r + xx) if negative else r + xx
                    self.tail_rejected += 1
            self.wedge += 1
            if fi[i] + (fi[i - 1] - fi[i]) * self.uniform() < math.exp(-0.5 * x * x):
                return x
            self.wedge_rejected += 1
            h = self.word() & MASK  # a rejected half is replaced by the next word's low half

    def noise(self, months: int) -> tuple[np.ndarray, np.ndarray]:
        normal = [[self.normal() for _ in range(N_NORMAL)] for _ in range(months)]
        self.high = None  # a half left over after the last normal is not used
        uniform = [[self.uniform() for _ in range(N_UNIFORM)] for _ in range(months)]
        return np.array(normal), np.array(uniform)


@pytest.fixture(scope="module")
def sample() -> tuple[np.ndarray, np.ndarray]:
    """1,008,000 normals and 216,000 uniforms: 600 replications of 120 months."""
    return noise_block(SEED, np.arange(600), 120)


# --- Philox and the ziggurat's tables ------------------------------------------------------------


@pytest.mark.parametrize(("counter", "key", "expected"), KAT)
def test_philox_known_answers(counter, key, expected):
    assert tuple(int(v) for v in philox4x32(*counter, *key)) == expected
    assert philox_reference(counter, key) == expected


def test_ziggurat_tables_match_numpy_and_close():
    ki, wi, fi, r, v = rng._KI, rng._WI, rng._FI, rng.ZIGGURAT_R, rng.ZIGGURAT_V
    assert abs(v - 0.00492867323399) < 1e-13  # Marsaglia & Tsang's published value
    # entries of NumPy's numpy/random/src/distributions/ziggurat_constants.h
    numpy_entries = [
        (ki[0], 0x000EF33D8025EF6A), (ki[2], 0x000C08BE98FBC6A8), (ki[255], 0x000F1A5A4B331C4A),
        (wi[0], 8.68362706080130616677e-16), (wi[1], 4.77933017572773682428e-17),
        (wi[255], 8.11384933765648418565e-16), (fi[1], 9.77101701267671596263e-01),
        (fi[2], 9.59879091800106665211e-01),
    ]
    for ours, theirs in numpy_entries:
        assert float(ours) == pytest.approx(float(theirs), rel=1e-12)
    assert ki[1] == 0
    assert fi[0] == 1.0
    x = wi * 2.0**52  # layer edges; x[0] is the base strip's box width
    f = np.exp(-0.5 * x[1:] ** 2)
    np.testing.assert_allclose(f, fi[1:], rtol=1e-15)
    areas = x[1:] * (np.concatenate([[1.0], f[:-1]]) - f)  # every layer above the base strip
    np.testing.assert_allclose(areas, v, rtol=1e-12)  # the layers close at the top
    assert x[0] * fi[255] == pytest.approx(v, rel=1e-14)
    assert x[255] == r


# --- The stream's layout -------------------------------------------------------------------------


def test_stream_matches_plain_python_reference():
    months = 120
    reps = [0, 1, 2, 3, 39, 95]  # 39 and 95: the tail's rejection step is taken (~1 replication in 40)
    normal, uniform = noise_block(SEED, reps, months)
    paths = np.zeros(4, dtype=int)
    for k, rep in enumerate(reps):
        ref = ReferenceStream(SEED, rep)
        ref_normal, ref_uniform = ref.noise(months)
        np.testing.assert_array_equal(normal[k], ref_normal)
        np.testing.assert_array_equal(uniform[k], ref_uniform)
        paths += (ref.tail, ref.tail_rejected, ref.wedge, ref.wedge_rejected)
    assert (paths > 0).all(), paths  # every slow path, accepted and rejected, was compared


def test_replication_beyond_32_bits_uses_the_counters_high_word():
    big = 2**32 + 5
    normal, uniform = noise_block(SEED, [big, 5], 2)
    ref_normal, ref_uniform = ReferenceStream(SEED, big).noise(2)
    np.testing.assert_array_equal(normal[0], ref_normal)
    np.testing.assert_array_equal(uniform[0], ref_uniform)
    assert not np.array_equal(normal[0], normal[1])


def test_run_key_is_the_seed_sequence_state():
    for seed in (0, 1, SEED, 2**63 + 11):
        assert run_key(seed) == tuple(int(k) for k in np.random.SeedSequence(seed).generate_state(2, np.uint32))


# --- Distributions -------------------------------------------------------------------------------


def test_normals_are_standard_normal(sample):
    z = sample[0].ravel()
    n = z.size
    assert n >= 1_000_000
    assert np.isfinite(z).all()
    assert stats.kstest(z, "norm").pvalue > 1e-3
    assert abs(z.mean()) < 5 / math.sqrt(n)
    assert abs(z.var() - 1) < 5 * math.sqrt(2 / n)
    for cut in (3.0, rng.ZIGGURAT_R):  # 3 sd; the base strip's edge, beyond which the tail path draws
        p = 2 * stats.norm.sf(cut)
        share = np.mean(np.abs(z) > cut)
        assert abs(share - p) < 5 * math.sqrt(p * (1 - p) / n), cut


def test_normal_tail_beyond_base_strip_is_the_normal_tail(sample):
    z = np.abs(sample[0].ravel())
    tail = z[z > rng.ZIGGURAT_R]
    assert tail.size > 150
    assert stats.kstest(tail, stats.truncnorm(rng.ZIGGURAT_R, np.inf).cdf).pvalue > 1e-3


def test_normal_signs_are_balanced_in_every_layer(sample):
    z = sample[0].ravel()
    layer = np.minimum(np.searchsorted(rng._WI[1:] * 2.0**52, np.abs(z)), 254)  # the narrowest box holding |z|
    for group in np.array_split(np.arange(255), 5):  # five bands of layers, each with ~200,000 draws
        zz = z[np.isin(layer, group)]
        assert abs(np.mean(zz > 0) - 0.5) < 5 * 0.5 / math.sqrt(zz.size)


def test_uniforms_are_uniform_on_unit_interval(sample):
    u = sample[1].ravel()
    assert u.size >= 200_000
    assert u.min() >= 0.0
    assert u.max() < 1.0
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    assert abs(u.mean() - 0.5) < 5 * math.sqrt(1 / 12 / u.size)


# --- Streams -------------------------------------------------------------------------------------


def test_replication_stream_does_not_depend_on_its_batch():
    months, reps = 24, np.arange(100)
    batch = noise_block(SEED, reps, months)
    reverse = noise_block(SEED, reps[::-1], months)
    for r in (0, 1, 37, 99):
        alone = noise_block(SEED, [r], months)
        direct = (np.empty((months, N_NORMAL)), np.empty((months, N_UNIFORM)))
        replication_noise(*run_key(SEED), r, *direct)
        for k in range(2):
            np.testing.assert_array_equal(alone[k][0], batch[k][r])
            np.testing.assert_array_equal(reverse[k][99 - r], batch[k][r])
            np.testing.assert_array_equal(direct[k], batch[k][r])


def test_threads_and_out_buffer_change_nothing():
    months, reps = 12, np.arange(50)
    one = noise_block(SEED, reps, months, workers=1)
    out = (np.full((60, months, N_NORMAL), np.nan), np.full((60, months, N_UNIFORM), np.nan))
    three = noise_block(SEED, reps, months, out, workers=3)
    for k in range(2):
        np.testing.assert_array_equal(one[k], three[k])
        assert np.shares_memory(three[k], out[k])
        assert np.isnan(out[k][50:]).all()  # rows past n untouched


def test_streams_differ_across_replications_and_seeds():
    normal, uniform = noise_block(SEED, np.arange(20), 12)
    other_normal, other_uniform = noise_block(SEED + 1, np.arange(20), 12)
    for a, b in ((normal, other_normal), (uniform, other_uniform)):
        assert len({row.tobytes() for row in a}) == 20  # no two replications alike
        for r in range(20):
            assert not np.isin(a[r], b[r]).any()  # seeds share no number


def test_adjacent_replications_are_uncorrelated(sample):
    z = sample[0].reshape(sample[0].shape[0], -1)
    a, b = z[:-1].ravel(), z[1:].ravel()
    assert abs(np.corrcoef(a, b)[0, 1]) < 5 / math.sqrt(a.size)
    u = sample[1].reshape(sample[1].shape[0], -1)
    assert abs(np.corrcoef(u[:-1].ravel(), u[1:].ravel())[0, 1]) < 5 / math.sqrt(u[:-1].size)


def test_replication_noise_is_callable_from_compiled_code():
    @njit
    def months_of_noise(key, replications, months):
        normal, uniform = np.empty((months, N_NORMAL)), np.empty((months, N_UNIFORM))
        out = np.empty((replications.shape[0], months, N_NORMAL + N_UNIFORM))
        for i in range(replications.shape[0]):
            replication_noise(key[0], key[1], replications[i], normal, uniform)
            for t in range(months):  # loops: slice assignment would take seconds to compile
                for j in range(N_NORMAL):
                    out[i, t, j] = normal[t, j]
                for j in range(N_UNIFORM):
                    out[i, t, N_NORMAL + j] = uniform[t, j]
        return out

    reps = np.array([0, 9, 2])
    expected = np.concatenate(noise_block(SEED, reps, 5), axis=2)
    np.testing.assert_array_equal(months_of_noise(run_key(SEED), reps, 5), expected)


def test_noise_into_fills_rows_in_place():
    reps = np.array([3, 1, 4], dtype=np.int64)
    normal, uniform = np.zeros((3, 6, N_NORMAL)), np.zeros((3, 6, N_UNIFORM))
    noise_into(*run_key(SEED), reps, normal, uniform)
    expected = noise_block(SEED, reps, 6)
    np.testing.assert_array_equal(normal, expected[0])
    np.testing.assert_array_equal(uniform, expected[1])


# --- Errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [-1, 1.5, "7", True])
def test_bad_seed_is_refused(seed):
    with pytest.raises(ValueError, match=r"seed must be an integer >= 0"):
        run_key(seed)
    with pytest.raises(ValueError, match=r"seed must be an integer >= 0"):
        noise_block(seed, [0], 1)


@pytest.mark.parametrize("replications", [[-1], [0, -3], [0.5]])
def test_bad_replication_is_refused(replications):
    with pytest.raises(ValueError, match=r"replications must be .*integers >= 0"):
        noise_block(SEED, replications, 1)


@pytest.mark.parametrize("months", [0, -2, 1.0])
def test_bad_months_is_refused(months):
    with pytest.raises(ValueError, match=r"months must be an integer >= 1"):
        noise_block(SEED, [0], months)


def test_bad_workers_and_out_are_refused():
    with pytest.raises(ValueError, match=r"workers must be an integer >= 1"):
        noise_block(SEED, [0], 1, workers=0)
    with pytest.raises(ValueError, match=r"out must hold float64 arrays"):
        noise_block(SEED, [0, 1], 2, (np.empty((1, 2, N_NORMAL)), np.empty((1, 2, N_UNIFORM))))
