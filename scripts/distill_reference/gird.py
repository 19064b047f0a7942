"""GIRD: the project's reconstruction of Hu, Zeng, Xie et al. (2024), as
specified in the project's method spec (docs/methods/gird.md), written out
directly in PyTorch:

    e = normalize(pool(F), dim=1, eps=1e-12)           per layer, per network
    A = cat([e, Q[:n]]); R = e @ A.T                    B x (B+n); drop R[i][i]
    L_sim = sum_i KL(softmax(R_T[i]/tau) || softmax(R_S[i]/tau)) / B      ("kl")
          or mean((R_S - R_T)^2)                                           ("mse")
    D[l,m] = R[m] - R[l]
    L_evo = mean((D_S - D_T)^2)  or  huber(D_S, D_T, delta=1)
    loss = beta * sum L_sim + gamma * sum L_evo

The bank rows are inputs without gradient (`bank_student<l>`, `bank_teacher<l>`:
the whole K-row ring as a checkpoint holds it; rows n.. are unused zeros).
"""
import torch
import torch.nn.functional as F

from common import Case, randn, seeded


def embed(feature, pool):
    if feature.dim() == 2:
        z = feature
    elif pool == "gap":
        z = feature.mean(dim=(2, 3))
    elif pool.startswith("avg("):
        z = F.adaptive_avg_pool2d(feature, int(pool[4:-1])).flatten(1)
    else:
        z = feature.flatten(1)
    return F.normalize(z, p=2, dim=1, eps=1e-12)


def off_diagonal(r):
    batch, columns = r.shape
    keep = torch.ones(batch, columns, dtype=torch.bool)
    keep[torch.arange(batch), torch.arange(batch)] = False
    return r[keep].view(batch, columns - 1)


def relations(e, bank):
    a = torch.cat([e, bank], dim=0)
    return off_diagonal(e @ a.t())


def gird(student, teacher, bank_s, bank_t, cfg):
    batch, n = student[0].shape[0], bank_s[0].shape[0]
    layers = len(student)
    pairs = [(l, l + 1) for l in range(layers - 1)] if cfg["evo_pairs"] == "consecutive" \
        else [(l, m) for l in range(layers) for m in range(l + 1, layers)]
    if batch + n <= 1:
        return sum(f.sum() * 0 for f in student), [0.0] * layers, [0.0] * len(pairs)
    e_s = [embed(f, cfg["pool"]) for f in student]
    e_t = [embed(f, cfg["pool"]) for f in teacher]
    r_s = [relations(e, q) for e, q in zip(e_s, bank_s)]
    r_t = [relations(e, q) for e, q in zip(e_t, bank_t)]
    sims = []
    for rs, rt in zip(r_s, r_t):
        if cfg["sim_loss"] == "kl":
            tau = cfg["tau"]
            p_t = F.softmax(rt / tau, dim=1)
            sims.append((p_t * (torch.log(p_t) - F.log_softmax(rs / tau, dim=1))).sum() / batch)
        else:
            sims.append(((rs - rt) ** 2).mean())
    evos = []
    if cfg["gamma"] > 0:
        for l, m in pairs:
            x = (r_s[m] - r_s[l]) - (r_t[m] - r_t[l])
            if cfg["evo_loss"] == "mse":
                evos.append((x ** 2).mean())
            else:
                evos.append(torch.where(x.abs() <= 1, 0.5 * x ** 2, x.abs() - 0.5).mean())
    loss = cfg["beta"] * sum(sims) + cfg["gamma"] * sum(evos)
    return loss, sims, evos


def make(name, g, cfg, batch, student_shapes, teacher_shapes, stored, position, zero_student=None):
    """stored rows of a K-row ring (cfg["K"]), filled in rows 0..<stored."""
    config = dict(cfg, n=stored, position=position)
    config["student_shapes"], config["teacher_shapes"] = student_shapes, teacher_shapes
    case = Case("gird", name, config)
    student, teacher, bank_s, bank_t = [], [], [], []
    for l, (ss, ts) in enumerate(zip(student_shapes, teacher_shapes)):
        s = randn(g, batch, *ss)
        if zero_student is not None and zero_student[0] == l:
            s[zero_student[1]] = 0
        student.append(case.input(f"student{l}", s, grad=True))
        teacher.append(case.input(f"teacher{l}", randn(g, batch, *ts)))
        for side, shape, banks in (("student", ss, bank_s), ("teacher", ts, bank_t)):
            width = embed(torch.zeros(1, *shape), cfg["pool"]).shape[1]
            ring = torch.zeros(cfg["K"], width)
            if stored:
                ring[:stored] = F.normalize(randn(g, stored, width).double(), dim=1).float()
            banks.append(case.input(f"bank_{side}{l}", ring)[:stored])
    loss, sims, evos = gird(student, teacher, bank_s, bank_t, cfg)
    return case.finish(loss, similarity=torch.tensor([float(v) for v in sims]),
                       evolution=torch.tensor([float(v) for v in evos]))


def wrapping_steps(g, cfg, batch, student_shapes, teacher_shapes, steps):
    """Consecutive steps on one bank (section 2): each step's loss against the
    ring as the earlier steps left it, then its detached embeddings written
    at the ring position, wrapping. Each step is a case (`wrap_step<k>`)
    whose bank inputs are the ring before it."""
    capacity = cfg["K"]
    widths_s = [embed(torch.zeros(1, *shape), cfg["pool"]).shape[1] for shape in student_shapes]
    widths_t = [embed(torch.zeros(1, *shape), cfg["pool"]).shape[1] for shape in teacher_shapes]
    ring_s = [torch.zeros(capacity, w) for w in widths_s]
    ring_t = [torch.zeros(capacity, w) for w in widths_t]
    position, stored = 0, 0
    for step in range(steps):
        config = dict(cfg, n=stored, position=position, student_shapes=student_shapes, teacher_shapes=teacher_shapes)
        case = Case("gird", f"wrap_step{step}", config)
        student = [case.input(f"student{l}", randn(g, batch, *shape), grad=True) for l, shape in enumerate(student_shapes)]
        teacher = [case.input(f"teacher{l}", randn(g, batch, *shape)) for l, shape in enumerate(teacher_shapes)]
        bank_s = [case.input(f"bank_student{l}", ring.clone())[:stored] for l, ring in enumerate(ring_s)]
        bank_t = [case.input(f"bank_teacher{l}", ring.clone())[:stored] for l, ring in enumerate(ring_t)]
        loss, sims, evos = gird(student, teacher, bank_s, bank_t, cfg)
        yield case.finish(loss, similarity=torch.tensor([float(v) for v in sims]),
                          evolution=torch.tensor([float(v) for v in evos]))
        # Section 2: after the step, the batch's detached embeddings enter the bank.
        for rings, maps in ((ring_s, student), (ring_t, teacher)):
            for ring, feature in zip(rings, maps):
                rows = embed(feature.detach(), cfg["pool"])
                for row in range(batch):
                    ring[(position + row) % capacity] = rows[row]
        position = (position + batch) % capacity
        stored = min(stored + batch, capacity)


DEFAULT = {"pool": "gap", "K": 8, "tau": 0.1, "sim_loss": "kl", "evo_pairs": "consecutive", "evo_loss": "mse",
           "beta": 1.0, "gamma": 1.0}


def cases():
    g = seeded(7)
    three_s = [[3, 4, 4], [5, 2, 2], [6, 2, 2]]
    three_t = [[4, 4, 4], [8, 2, 2], [7, 1, 1]]
    yield make("default_b4_n5", g, DEFAULT, 4, three_s, three_t, stored=5, position=5)
    yield make("full_bank_b3", g, dict(DEFAULT, K=6, tau=0.5), 3, three_s, three_t, stored=6, position=2)
    yield make("avg2_mse_all_huber", g,
               dict(DEFAULT, pool="avg(2)", K=6, sim_loss="mse", evo_pairs="all", evo_loss="huber", beta=0.5, gamma=2.0),
               3, [[2, 3, 3], [3, 4, 4], [2, 5, 5]], [[3, 3, 3], [2, 2, 2], [4, 4, 4]], stored=4, position=4)
    yield make("flatten_k0_b5", g, dict(DEFAULT, pool="flatten", K=0, tau=0.2), 5, [[2, 2, 2], [3, 2, 2]],
               [[1, 3, 3], [2, 1, 1]], stored=0, position=0)
    yield make("mse_gamma0_one_layer", g, dict(DEFAULT, sim_loss="mse", gamma=0.0, K=4), 3, [[4, 2, 2]], [[5, 2, 2]],
               stored=2, position=2)
    yield make("b1_n0", g, dict(DEFAULT, K=4), 1, three_s, three_t, stored=0, position=0)
    yield make("b1_n3", g, dict(DEFAULT, K=4, evo_loss="huber"), 1, three_s, three_t, stored=3, position=3)
    yield from wrapping_steps(g, dict(DEFAULT, K=5, tau=0.2), 3, three_s, three_t, steps=3)
    yield make("zero_feature", g, dict(DEFAULT, K=4), 4, three_s, three_t, stored=2, position=2, zero_student=(0, 1))
