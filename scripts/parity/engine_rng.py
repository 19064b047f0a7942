"""The engine's random streams, in Python, so that the twin can see the very
batches the engine trains on: which images each step gets, and how each one
is cropped and flipped.

Written from the documented algorithms (Philox-4x32-10 as Random123 defines
it; the stream layout, Lemire's bounded integers, Fisher-Yates from the back,
the loader's per-epoch stream keys and the augmentation's per-image slices, as
the engine's doc comments state them). It is checked against the engine, not
trusted: `check_subset` compares the stratified subset it draws with the one
the engine exported (engine.recipe's `export` mode), and the lockstep check
(`lockstep.py`) compares step losses, which differ at step 1 unless every
image, crop and flip is the same.
"""
import numpy as np

MASK32 = 0xFFFFFFFF
MASK64 = 0xFFFFFFFFFFFFFFFF


def philox_blocks(counters, seed):
    """Philox-4x32-10 blocks for an array of 64-bit counters under a 64-bit key:
    the counter fills the first two counter words (low half first), the other
    two are 0; returns uint32 [len(counters), 4]."""
    counters = np.asarray(counters, dtype=np.uint64)
    c0 = (counters & np.uint64(MASK32)).astype(np.uint64)
    c1 = (counters >> np.uint64(32)).astype(np.uint64)
    c2 = np.zeros_like(c0)
    c3 = np.zeros_like(c0)
    k0, k1 = seed & MASK32, (seed >> 32) & MASK32
    m0, m1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
    low = np.uint64(MASK32)
    for round_ in range(10):
        if round_ > 0:
            k0 = (k0 + 0x9E3779B9) & MASK32
            k1 = (k1 + 0xBB67AE85) & MASK32
        p0 = m0 * c0  # < 2^64: no overflow
        p1 = m1 * c2
        c0, c1, c2, c3 = ((p1 >> np.uint64(32)) ^ c1 ^ np.uint64(k0), p1 & low,
                          (p0 >> np.uint64(32)) ^ c3 ^ np.uint64(k1), p0 & low)
    return np.stack([c0, c1, c2, c3], axis=1).astype(np.uint32)


class Generator:
    """The engine's RandomGenerator: word n of the stream is lane n % 4 of the
    Philox block for counter n // 4 under the key `seed`."""

    def __init__(self, seed, offset=0):
        self.seed = seed & MASK64
        self.offset = offset
        self._counter = None
        self._block = None

    def next_word(self):
        counter = self.offset >> 2
        if counter != self._counter:
            self._block = [int(w) for w in philox_blocks([counter], self.seed)[0]]
            self._counter = counter
        word = self._block[self.offset & 3]
        self.offset += 1
        return word

    def next64(self):
        high = self.next_word()
        return (high << 32) | self.next_word()

    def next_uniform(self):
        """float32 in [0, 1) from the top 24 bits of one word."""
        return np.float32(self.next_word() >> 8) * np.float32(2.0 ** -24)

    def next_int(self, bound):
        """Lemire's multiply-and-reject on a 64-bit draw."""
        product = self.next64() * bound
        low = product & MASK64
        if low < bound:
            threshold = ((1 << 64) - bound) % bound
            while low < threshold:
                product = self.next64() * bound
                low = product & MASK64
        return product >> 64

    def permutation(self, n):
        order = list(range(max(n, 0)))
        for i in range(len(order) - 1, 0, -1):
            j = self.next_int(i + 1)
            order[i], order[j] = order[j], order[i]
        return order


def subset_indices(labels, n, seed, classes=10):
    """The engine's `d.subset(n, seed:)` (stratified): sorted dataset indices."""
    labels = np.asarray(labels)
    count = len(labels)
    members = [list(np.nonzero(labels == k)[0]) for k in range(classes)]
    quotas = [n * len(m) // count for m in members]
    remainders = [n * len(m) % count for m in members]
    by_remainder = sorted(range(classes), key=lambda k: (-remainders[k], k))
    for k in by_remainder[:n - sum(quotas)]:
        quotas[k] += 1
    generator = Generator(seed)
    chosen = []
    for k, indices in enumerate(members):
        order = generator.permutation(len(indices))
        chosen += [int(indices[i]) for i in order[:quotas[k]]]
    return sorted(chosen)


def stream_seed(seed, epoch, stream):
    """The key of an epoch's order stream (0) or augmentation stream (1)."""
    z = (seed + 0x9E3779B97F4A7C15 * ((epoch * 2 + stream + 1) & MASK64)) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def epoch_order(count, seed, epoch):
    """Positions (into the training subset) in the order epoch `epoch` serves them."""
    return Generator(stream_seed(seed, epoch, 0)).permutation(count)


WORDS_PER_TRANSFORM = 8


def crop_flip_draws(seed, epoch, count, padding=4, side=32, size=32):
    """For each position of an epoch with augmentation ["crop", "flip"]: the
    crop's (top, left) and whether the image is flipped. Transform t of the
    image at position p draws from word (p * 2 + t) * 8 of the epoch's
    augmentation stream."""
    key = stream_seed(seed, epoch, 1)
    bound = side + 2 * padding - size + 1
    tops, lefts, flips = np.zeros(count, np.int64), np.zeros(count, np.int64), np.zeros(count, bool)
    # Fast path: a crop's two draws are the 4 words of one block (offsets are
    # multiples of 8, so block-aligned); a flip is word 0 of another block.
    positions = np.arange(count, dtype=np.uint64)
    crop_blocks = philox_blocks(positions * np.uint64(4), key).astype(np.uint64)
    flip_blocks = philox_blocks(positions * np.uint64(4) + np.uint64(2), key)
    for p in range(count):
        w = [int(x) for x in crop_blocks[p]]
        draws = []
        for first, second in ((w[0], w[1]), (w[2], w[3])):
            product = ((first << 32) | second) * bound
            if (product & MASK64) < bound:  # rejection is possible: take the exact path
                draws = None
                break
            draws.append(product >> 64)
        if draws is None:
            g = Generator(key, offset=p * 2 * WORDS_PER_TRANSFORM)
            draws = [g.next_int(bound), g.next_int(bound)]
        tops[p], lefts[p] = draws
        flips[p] = np.float32(int(flip_blocks[p][0]) >> 8) * np.float32(2.0 ** -24) < np.float32(0.5)
    return tops, lefts, flips


def check_subset(labels, n, seed, expected):
    got = subset_indices(labels, n, seed)
    return list(got) == list(expected)
