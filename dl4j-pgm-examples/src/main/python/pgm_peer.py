#!/usr/bin/env python3
"""PgM in PyTorch: the graph that bench/FusionStepBenchmark trains, written independently, to time a training step.

The same components, shapes, options and parameter count as the Java graph of the main job
(ExperimentRunner.build with FusionChoice PGM, PgmFusion.addPgm), from the paper's equations and the Java blocks:

  inputs      image [B, 64], speech [B, 24, 16] + valid frame counts, text [B, 64]
  pooling     speech -> masked mean over its valid frames [B, 16]            (StepMeanPoolingLayer)
  PgmLayer    every modality a masked one-step sequence [B, 1, D_m]           (ModalityPackVertex)
              I_m = X_m W_m + b_m (D_m != D), modalities stacked [M B, 1, D]  (PgmBlock.define)
              N iterations: partitioner gates (Eq. 1-3, one per modality, stacked weights [M, D, D]),
              hard gates with straight-through gradient (Eq. 4), uni and paired learners (Eq. 5-6: one
              post-norm Transformer encoder block, SEQUENCE mode), decoder (Eq. 7), UFC, PFC, UPR (Eq. 8-10)
              output [B, 2 M D + 3]: pooled u_m, pooled p_m, per-example UFC, PFC, UPR (Eq. 11)
  norm        batch normalisation of the 2 M D features (the cpu preset's headNorm; not in the paper preset)
  head        PgmHeadBlock (Eq. 13-14): FFN_u, FFN_p (M D -> F -> H), one encoder block each, FFN_f (2H -> F -> H)
  dense       D -> D, ReLU; out D -> classes, softmax with cross-entropy
  loss        beta * mean_b CE + alpha * mean_b L_P(b) (Eq. 12; the benchmark's LossWeights(0.1, 1))
  optimiser   Adam, learning rates per component as in the cpu / paper presets

Attention over one key (S = 1) is (x W_v + b_v) W_o + b_o, as in MultiHeadAttentionBlock.singleKey; W_q, b_q, W_k,
b_k exist (the parameter count) and get no gradient. cumsoftmax is torch.cumsum of the softmax (the Java block uses a
product with a triangular matrix of ones because of an ND4J cumsum bug). GELU is the tanh approximation, layer norm
eps 1e-5, as in SdOps.

Prints the parameter counts per component and one JSON line (prefix "RESULT ") with ms per training step (wall
clock, CPU time of the thread and of the process) and per forward call. Run with one thread: --threads 1 (the default).
--gemm-shapes M:K:N ... times torch.mm on those shapes instead, as bench/GemmBenchmark times libnd4j's matmul.
--phases also prints the median thread CPU ms of a step's three phases (forward with the loss, backward, Adam's
update) over the timed steps, each step timed again phase by phase after the timed run.
--lockstep R runs the timed steps and forwards in R rounds that another process starts, one line 'go' on standard
input each (src/main/python/lockstep.py runs this peer and FusionStepBenchmark in turns on one core).
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

LAYER_NORM_EPS = 1e-5
MASK_CONSTANT = -10000.0


def masked_mean(x, mask):
    """Mean over steps of x [B, S, D] where mask [B, S] is 1; 0 for an example without a valid step."""
    m = mask.unsqueeze(-1)
    count = mask.sum(1, keepdim=True)
    count = count + (count <= 0).to(x.dtype)
    return (x * m).sum(1) / count


class LayerNorm(nn.Module):
    """Layer norm over the last axis, gain and bias [E] (LayerNormBlock)."""

    def __init__(self, width):
        super().__init__()
        self.norm = nn.LayerNorm(width, eps=LAYER_NORM_EPS)

    def forward(self, x):
        return self.norm(x)


class FeedForward(nn.Module):
    """GELU(x W_1 + b_1) W_2 + b_2: [B, T, in] -> [B, T, out] (FeedForwardBlock)."""

    def __init__(self, d_in, hidden, d_out):
        super().__init__()
        self.l1 = nn.Linear(d_in, hidden)
        self.l2 = nn.Linear(hidden, d_out)

    def forward(self, x):
        return self.l2(F.gelu(self.l1(x), approximate="tanh"))


class Attention(nn.Module):
    """Multi-head attention with an additive key mask [B, Tk] (MultiHeadAttentionBlock): 4 E^2 + 4 E parameters."""

    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(width, width)
        self.k = nn.Linear(width, width)
        self.v = nn.Linear(width, width)
        self.o = nn.Linear(width, width)

    def forward(self, query, key_value, key_mask_add=None):
        b, tq, e = query.shape
        tk = key_value.shape[1]
        if tq == 1 and tk == 1:
            # softmax over one key is 1 whatever the score and the finite mask
            return self.o(self.v(key_value))
        h = self.heads
        q = self.q(query).view(b, tq, h, e // h).transpose(1, 2)
        k = self.k(key_value).view(b, tk, h, e // h).transpose(1, 2)
        v = self.v(key_value).view(b, tk, h, e // h).transpose(1, 2)
        scores = q @ k.transpose(-1, -2) / math.sqrt(e // h)
        if key_mask_add is not None:
            scores = scores + key_mask_add.view(b, 1, 1, tk)
        context = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, tq, e)
        return self.o(context)


class EncoderBlock(nn.Module):
    """Post-norm Transformer encoder block: h = LN(x + MHA(x)), y = LN(h + FFN(h)) (TransformerEncoderBlock)."""

    def __init__(self, width, heads, ffn):
        super().__init__()
        self.attn = Attention(width, heads)
        self.ln1 = LayerNorm(width)
        self.ff = FeedForward(width, ffn, width)
        self.ln2 = LayerNorm(width)

    def forward(self, x, key_mask_add=None):
        h = self.ln1(x + self.attn(x, x, key_mask_add))
        return self.ln2(h + self.ff(h))


class Partitioners(nn.Module):
    """One modal partitioner per modality (Eq. 1-3), weights stacked [M, D, D] for the stacked modalities."""

    def __init__(self, modalities, width):
        super().__init__()
        self.wu = nn.Parameter(torch.empty(modalities, width, width))
        self.bu = nn.Parameter(torch.zeros(modalities, 1, width))
        self.wp = nn.Parameter(torch.empty(modalities, width, width))
        self.bp = nn.Parameter(torch.zeros(modalities, 1, width))
        bound = math.sqrt(6.0 / (2 * width))
        nn.init.uniform_(self.wu, -bound, bound)
        nn.init.uniform_(self.wp, -bound, bound)
        self.modalities = modalities

    def logits(self, x, w, b):
        mb, s, d = x.shape
        return (x.reshape(self.modalities, -1, d) @ w + b).reshape(mb, s, -1)

    def forward(self, inp, u, p):
        gu = 1 - torch.cumsum(self.logits(u, self.wu, self.bu).softmax(-1), -1)
        gp = torch.cumsum(self.logits(p, self.wp, self.bp).softmax(-1), -1)
        gs = gu * gp
        shared = gs * inp
        return (gu - gs) * u + shared, (gp - gs) * p + shared, gu, gp


def hard_gate(soft):
    """Eq. 4: 1[g > 0.5] with the straight-through gradient (GateMasks.hard, STRAIGHT_THROUGH)."""
    return soft + ((soft > 0.5).to(soft.dtype) - soft).detach()


class MaskedLearner(nn.Module):
    """SEQUENCE-mode masked learner (Eq. 5-6): h = x o g, one encoder block across S, output h o g o mask."""

    def __init__(self, width, heads, ffn):
        super().__init__()
        self.block = EncoderBlock(width, heads, ffn)

    def forward(self, x, gate, mask):
        key_mask = (1 - mask) * MASK_CONSTANT
        return self.block(x * gate, key_mask) * gate * mask.unsqueeze(-1)


class Decoder(nn.Module):
    """Eq. 7: h = LN(u + MHA(u, p, p)), I^ = FFN([h ; p]) (2D -> F -> D), zero at padded steps."""

    def __init__(self, width, heads, ffn):
        super().__init__()
        self.xattn = Attention(width, heads)
        self.ln = LayerNorm(width)
        self.ff = FeedForward(2 * width, ffn, width)

    def forward(self, u, p, mask):
        key_mask = (1 - mask) * MASK_CONSTANT
        h = self.ln(u + self.xattn(u, p, key_mask))
        return self.ff(torch.cat([h, p], -1)) * mask.unsqueeze(-1)


class PgmLayer(nn.Module):
    """PgmBlock + PgmLayer's pooled output [B, 2 M D + 3]."""

    def __init__(self, input_widths, width, iterations, heads, ffn):
        super().__init__()
        self.width = width
        self.iterations = iterations
        self.m = len(input_widths)
        self.projections = nn.ModuleList(
            [nn.Linear(w, width) if w != width else nn.Identity() for w in input_widths])
        self.partitioners = Partitioners(self.m, width)
        self.uni = MaskedLearner(width, heads, ffn)
        self.paired = MaskedLearner(width, heads, ffn)
        self.decoder = Decoder(width, heads, ffn)
        self.ufc = nn.Linear(width, self.m)
        self.pfc = nn.Linear(width, 2)

    def counts(self):
        n = lambda mod: sum(p.numel() for p in mod.parameters())
        return {"projections": n(self.projections), "partitioners": n(self.partitioners),
                "uniLearner": n(self.uni), "pairedLearner": n(self.paired), "decoder": n(self.decoder),
                "ufcClassifier": n(self.ufc), "pfcClassifier": n(self.pfc)}

    def forward(self, xs, masks):
        """xs: M tensors [B, 1, D_m]; masks: M tensors [B, 1]."""
        b = xs[0].shape[0]
        inp = torch.cat([proj(x) for proj, x in zip(self.projections, xs)], 0)        # [M B, 1, D]
        target = inp.detach()
        mask = torch.cat(masks, 0)                                                     # [M B, 1]
        present = (mask.sum(1) > 0).to(inp.dtype)                                       # [M B]
        count = present.view(self.m, b).sum(0)
        count = count + (count <= 0).to(inp.dtype)
        modality = torch.arange(self.m).repeat_interleave(b)
        ufc = pfc = upr = 0
        u = p = inp
        for _ in range(self.iterations):
            nu, np_, gu, gp = self.partitioners(inp, u, p)
            lu = self.uni(nu, hard_gate(gu), mask)
            lp = self.paired(np_, hard_gate(gp), mask)
            pu = masked_mean(lu, mask)
            pp = masked_mean(lp, mask)
            ce_u = F.cross_entropy(self.ufc(pu), modality, reduction="none") * present
            ufc = ufc + ce_u.view(self.m, b).sum(0)
            pooled = torch.cat([pu, pp], 0)
            classes = torch.cat([torch.zeros(self.m * b, dtype=torch.long), torch.ones(self.m * b, dtype=torch.long)])
            ce_p = F.cross_entropy(self.pfc(pooled), classes, reduction="none") * present.repeat(2)
            pfc = pfc + ce_p.view(2 * self.m, b).sum(0)
            rec = self.decoder(lu, lp, mask)
            per_step = ((target - rec) ** 2).sum(-1) / self.width                      # [M B, 1]
            upr = upr + (masked_mean(per_step.unsqueeze(-1), mask).view(-1) * present).view(self.m, b).sum(0)
            u, p = lu, lp
        ufc = ufc / count
        pfc = pfc / (2 * count)
        upr = upr * self.m / count
        us = [masked_mean(t, mask[k * b:(k + 1) * b]) for k, t in enumerate(u.split(b, 0))]
        ps = [masked_mean(t, mask[k * b:(k + 1) * b]) for k, t in enumerate(p.split(b, 0))]
        return torch.cat(us + ps + [ufc.view(-1, 1), pfc.view(-1, 1), upr.view(-1, 1)], 1)


class PgmHead(nn.Module):
    """PgmHeadBlock (Eq. 13-14) on the pooled features, a one-step sequence: [B, 2 M D] -> [B, H]."""

    def __init__(self, modalities, width, hidden, heads, ffn):
        super().__init__()
        self.concat = modalities * width
        self.uni_ffn = FeedForward(self.concat, ffn, hidden)
        self.paired_ffn = FeedForward(self.concat, ffn, hidden)
        self.uni_enc = EncoderBlock(hidden, heads, ffn)
        self.paired_enc = EncoderBlock(hidden, heads, ffn)
        self.fuse = FeedForward(2 * hidden, ffn, hidden)

    def forward(self, x):
        x = x.unsqueeze(1)
        uf = self.uni_enc(self.uni_ffn(x[..., :self.concat]))
        pf = self.paired_enc(self.paired_ffn(x[..., self.concat:]))
        return self.fuse(torch.cat([uf, pf], -1)).squeeze(1)


class PgmGraph(nn.Module):
    """The main job's PgM graph: pooling, PgmLayer, features (+ batch norm), head, dense, output."""

    def __init__(self, input_widths, classes, width, iterations, head_norm):
        super().__init__()
        self.width = width
        self.m = len(input_widths)
        self.pgm = PgmLayer(input_widths, width, iterations, heads=2, ffn=2 * width)
        self.norm = nn.BatchNorm1d(2 * self.m * width) if head_norm else None
        self.head = PgmHead(self.m, width, width, heads=2, ffn=2 * width)
        self.dense = nn.Linear(width, width)
        self.out = nn.Linear(width, classes)

    def counts(self):
        n = lambda mod: 0 if mod is None else sum(p.numel() for p in mod.parameters())
        # DL4J counts a batch norm's running mean and variance among its parameters
        norm = 0 if self.norm is None else n(self.norm) + self.norm.running_mean.numel() + self.norm.running_var.numel()
        return {"fusionPgm": n(self.pgm), "fusionFeaturesNorm": norm, "fusionHead": n(self.head),
                "dense": n(self.dense), "out": n(self.out)}

    def forward(self, image, speech, speech_mask, text):
        speech_pooled = masked_mean(speech, speech_mask)
        xs = [image.unsqueeze(1), speech_pooled.unsqueeze(1), text.unsqueeze(1)]
        ones = torch.ones(image.shape[0], 1)
        y = self.pgm(xs, [ones, ones, ones])
        features = y[:, :2 * self.m * self.width]
        objectives = y[:, 2 * self.m * self.width:]
        if self.norm is not None:
            features = self.norm(features)
        logits = self.out(F.relu(self.dense(self.head(features))))
        return logits, objectives


def shape(text):
    """M:K:N, three whole numbers >= 1 (argparse type of --gemm-shapes)."""
    dims = text.split(":")
    if len(dims) != 3 or not all(d.isdigit() and int(d) >= 1 for d in dims):
        raise argparse.ArgumentTypeError(f"expects M:K:N (3 whole numbers >= 1), found '{text}'")
    return tuple(int(d) for d in dims)


def gflops(m, k, n, transpose_a, transpose_b):
    """GFLOP/s of torch.mm with result [m, n] and inner size k per second of this thread's CPU time, the operands
    stored as GemmBenchmark stores them ([k, m] for a transposed a, [n, k] for a transposed b) and transposed as
    views, as autograd passes them."""
    a = torch.rand(k, m).t() if transpose_a else torch.rand(m, k)
    b = torch.rand(n, k).t() if transpose_b else torch.rand(k, n)
    c = torch.empty(m, n)
    per_call = 2.0 * m * k * n
    for _ in range(int(max(3, 2e8 / per_call))):
        torch.mm(a, b, out=c)
    calls = int(max(10, 2e9 / per_call))
    c0 = time.thread_time()
    for _ in range(calls):
        torch.mm(a, b, out=c)
    return per_call * calls / (time.thread_time() - c0) / 1e9


def gemm_table(shapes):
    """The table GemmBenchmark prints, for PyTorch's products on the same shapes."""
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} thread(s)")
    print("| M | K | N | forward | input gradient | weight gradient |\n|---|---|---|---|---|---|")
    for m, k, n in shapes:
        print(f"| {m} | {k} | {n} | {gflops(m, k, n, False, False):.1f} | {gflops(m, n, k, False, True):.1f} | "
              f"{gflops(k, m, n, True, False):.1f} |")


def timed(call, n):
    """Runs call() n times: milliseconds of the wall clock, the thread's and the process's CPU time, and n."""
    t0, c0, p0 = time.perf_counter(), time.thread_time(), time.process_time()
    for _ in range(n):
        call()
    return [(time.perf_counter() - t0) * 1e3, (time.thread_time() - c0) * 1e3, (time.process_time() - p0) * 1e3, n]


def round_steps(total, rounds, r):
    """Steps of round r (0-based) when total are split over the rounds, as FusionStepBenchmark's Lockstep.count."""
    return total * (r + 1) // rounds - total * r // rounds


def in_turns(rounds, total, step, forward, model):
    """The timed steps and forwards in rounds that a coordinating process starts (FusionStepBenchmark --lockstep's
    protocol: 'ready', then per round a line 'go' in, a line 'round I ...' out, then the end of the input); the clocks
    summed over the rounds."""
    print("ready", flush=True)
    fits, outputs = [0.0, 0.0, 0.0, 0], [0.0, 0.0, 0.0, 0]
    for r in range(rounds):
        line = sys.stdin.readline()
        if line.strip() != "go":
            sys.exit(f"lockstep: expected 'go' before round {r} of {rounds}, read {line.strip()!r}"
                     if line else f"lockstep: standard input ended before round {r} of {rounds}")
        k = round_steps(total, rounds, r)
        model.train()
        f = timed(step, k)
        model.eval()
        with torch.no_grad():
            out = timed(forward, k)
        print(f"round {r} fitMs={f[0] / k:.4f} fitCpuMs={f[1] / k:.4f} fitProcessCpuMs={f[2] / k:.4f} "
              f"outputMs={out[0] / k:.4f} outputCpuMs={out[1] / k:.4f} steps={k}", flush=True)
        fits = [a + b for a, b in zip(fits, f)]
        outputs = [a + b for a, b in zip(outputs, out)]
    rest = sys.stdin.read()   # the coordinator closes the input when it is this process's turn to finish
    if rest.strip():
        sys.exit(f"lockstep: expected the end of standard input after round {rounds - 1}, read {rest.strip()!r}")
    return fits, outputs


def main():
    a = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    a.add_argument("--batch", type=int, default=128)
    a.add_argument("--width", type=int, default=32)
    a.add_argument("--iterations", type=int, default=1)
    a.add_argument("--head-norm", choices=["true", "false"], default="true",
                   help="batch norm before the head (cpu preset true, paper preset false)")
    a.add_argument("--lr", type=float, default=3e-3, help="model learning rate")
    a.add_argument("--learner-lr", type=float, default=1e-3)
    a.add_argument("--decoder-lr", type=float, default=3e-3)
    a.add_argument("--steps", type=int, default=20)
    a.add_argument("--warmup", type=int, default=3, help="untimed steps first, then as many untimed forwards")
    a.add_argument("--threads", type=int, default=1)
    a.add_argument("--seed", type=int, default=1)
    a.add_argument("--phases", action="store_true",
                   help="also time the forward pass, the backward pass and the update of each step apart (median)")
    a.add_argument("--gemm-shapes", type=shape, nargs="+", metavar="M:K:N",
                   help="instead of the step, time torch.mm on these shapes as bench/GemmBenchmark does (forward, "
                        "input gradient, weight gradient) and print its table")
    a.add_argument("--lockstep", type=int, metavar="R",
                   help="after the warm-up (steps and forwards) print 'ready', then run the timed steps in R rounds, "
                        "each when a line 'go' arrives on standard input: its share of the steps, then as many "
                        "forwards, and a line 'round I ...' with their times, as bench/FusionStepBenchmark --lockstep "
                        "does (src/main/python/lockstep.py runs the two in turns)")
    a.add_argument("--cpu", type=int, metavar="N",
                   help="pin the calling thread (with --threads 1 every op runs on it) to CPU core N before the first "
                        "step, as bench/FusionStepBenchmark --cpu does; default: not pinned")
    o = a.parse_args()
    if o.lockstep is not None and not 1 <= o.lockstep <= o.steps:
        a.error(f"--lockstep {o.lockstep}: expected 1 to --steps ({o.steps}) rounds")
    if o.cpu is not None:
        try:
            os.sched_setaffinity(0, {o.cpu})   # pid 0: the calling thread
        except OSError as e:
            a.error(f"--cpu {o.cpu}: {e}")
        print(f"training thread pinned to CPU {o.cpu}")
    torch.set_num_threads(o.threads)
    if o.gemm_shapes:
        gemm_table(o.gemm_shapes)
        return
    torch.manual_seed(o.seed)

    b, classes = o.batch, 10
    image = torch.rand(b, 64)
    speech = torch.randn(b, 24, 16)
    lengths = torch.randint(7, 25, (b,))
    speech_mask = (torch.arange(24).view(1, -1) < lengths.view(-1, 1)).float()
    text = torch.rand(b, 64)
    labels = torch.randint(0, classes, (b,))

    model = PgmGraph([64, 16, 64], classes, o.width, o.iterations, o.head_norm == "true")
    learners = list(model.pgm.uni.parameters()) + list(model.pgm.paired.parameters())
    decoder = list(model.pgm.decoder.parameters())
    special = {id(p) for p in learners + decoder}
    rest = [p for p in model.parameters() if id(p) not in special]
    opt = torch.optim.Adam([{"params": rest, "lr": o.lr}, {"params": learners, "lr": o.learner_lr},
                            {"params": decoder, "lr": o.decoder_lr}])
    alpha, beta = 0.1, 1.0

    def step(clock=None):
        """One training step; with a list, appends the thread CPU time before and after each of its phases."""
        def mark():
            if clock is not None:
                clock.append(time.thread_time())

        mark()
        opt.zero_grad(set_to_none=True)
        logits, objectives = model(image, speech, speech_mask, text)
        loss = beta * F.cross_entropy(logits, labels) + alpha * objectives.sum(1).mean()
        mark()
        loss.backward()
        mark()
        opt.step()
        mark()
        return loss

    def forward():
        model(image, speech, speech_mask, text)

    def warm_up_forwards():
        """Untimed forwards in inference mode, as many as the warm-up steps (at least one), as the Java side."""
        model.eval()
        with torch.no_grad():
            for _ in range(max(1, o.warmup)):
                forward()

    model.train()
    for _ in range(o.warmup):
        step()
    if o.lockstep is None:
        fits = timed(step, o.steps)
        warm_up_forwards()
        with torch.no_grad():
            outputs = timed(forward, o.steps)
    else:
        warm_up_forwards()
        fits, outputs = in_turns(o.lockstep, o.steps, step, forward, model)
    ms_step, cpu_step, process_cpu_step = (fits[i] / fits[3] for i in range(3))
    ms_out, cpu_out = (outputs[i] / outputs[3] for i in range(2))
    phases = None
    if o.phases:
        model.train()
        # the same step, its phases timed apart: (forward with the loss, backward, update) thread CPU ms
        times = []
        for _ in range(o.steps):
            c = []
            step(c)
            times.append([(c[i + 1] - c[i]) * 1e3 for i in range(3)])
        phases = {name: sorted(t[i] for t in times)[len(times) // 2]
                  for i, name in enumerate(("forwardMs", "backwardMs", "updateMs"))}

    counts = model.counts()
    for k, v in model.pgm.counts().items():
        print(f"  pgm {k:<16} {v:>12,}")
    for k, v in counts.items():
        print(f"  {k:<20} {v:>12,}")
    total = sum(counts.values())
    print(f"  total {total:,}")
    print(f"PyTorch {torch.__version__} ({torch.get_num_threads()} thread(s)), B = {b}, D = {o.width}, "
          f"N = {o.iterations}: {ms_step:.1f} ms / step ({cpu_step:.1f} CPU ms), {ms_out:.1f} ms / forward")
    if phases:
        print("phases of a step (median thread CPU ms): forward %.1f, backward %.1f, update %.1f"
              % (phases["forwardMs"], phases["backwardMs"], phases["updateMs"]))
    result = {"msPerStep": ms_step, "cpuMsPerStep": cpu_step, "processCpuMsPerStep": process_cpu_step,
              "msPerOutput": ms_out, "cpuMsPerOutput": cpu_out,
              "params": counts, "pgmParams": model.pgm.counts(), "total": total}
    if phases:
        result["phases"] = phases
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
