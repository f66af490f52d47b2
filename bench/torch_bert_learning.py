#!/usr/bin/python3
"""Reference learning curve: a plain PyTorch BERT trained on the same MLM + NSP instances as `pretrain train-bert`.

Usage: /usr/bin/python3 bench/torch_bert_learning.py TRAIN.jsonl HELDOUT.jsonl OUT.jsonl [options]

The instances are the ExamplesStage columns (input_ids, input_mask, segment_ids, masked_lm_positions,
masked_lm_ids, masked_lm_weights, next_sentence_labels) as JSON lines, e.g. from bench/bert-learning-vs-torch.sh.
The model mirrors ours (model/.../BertModel.java) so that a learning curve per example can be compared:
post-LN BERT (Devlin et al. 2019; Google modeling.py), token + position + segment embeddings + LayerNorm, L blocks
of multi-head self-attention with the input_mask as key mask, GELU FFN, MLM head (dense + GELU + LayerNorm, decoder
H -> vocab with output bias) over the masked positions only, loss = masked_lm_weights-weighted mean
cross-entropy, NSP head (tanh pooler on [CLS] + 2-way linear), loss = MLM + NSP.
Options mirror ours by default: --dropout 0 (ours applies none), --untied decoder (ours is untied; --tied for
Google's tied decoder), Adam (0.9, 0.999, 1e-8) with decoupled weight decay 0.01 x lr on every weight matrix and
embedding (not on biases or LayerNorm), L2 gradient clipping 1.0 per layer (ours: DL4J ClipL2PerLayer; --global-clip
for Google's global norm), learning rate: linear warm-up then linear decay to 0 at --total-steps (Google BERT).
One pass over the first --max-train instances in a seeded random order; held-out metrics every --eval-every steps
are appended to OUT.jsonl as {"examples_seen", "steps", "seconds", "heldout_mlm_loss", "heldout_mlm_accuracy",
"heldout_nsp_loss", "heldout_nsp_accuracy"} (the keys of our metrics.jsonl).
"""
import argparse
import json
import math
import os
import sys
import time


def load(path, limit):
    rows = []
    with open(path) as f:
        for line in f:
            if line.strip():
                rows.append(json.loads(line))
                if 0 < limit <= len(rows):
                    break
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('train')
    ap.add_argument('heldout')
    ap.add_argument('out')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--max-train', type=int, default=80000)
    ap.add_argument('--stop-after', type=int, default=0, help='stop after this many instances (0: --max-train); '
                                                                  'the schedule still ends at --total-steps')
    ap.add_argument('--heldout-n', type=int, default=1000)
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--lr', type=float, default=5e-4)
    ap.add_argument('--warmup', type=int, default=100)
    ap.add_argument('--total-steps', type=int, default=0, help='0: max-train / batch')
    ap.add_argument('--weight-decay', type=float, default=0.01)
    ap.add_argument('--eval-every', type=int, default=500)
    ap.add_argument('--dropout', type=float, default=0.0)
    ap.add_argument('--tied', action='store_true')
    ap.add_argument('--global-clip', action='store_true')
    ap.add_argument('--layers', type=int, default=4)
    ap.add_argument('--hidden', type=int, default=256)
    ap.add_argument('--heads', type=int, default=4)
    ap.add_argument('--ffn', type=int, default=1024)
    ap.add_argument('--vocab', type=int, default=30522)
    ap.add_argument('--seed', type=int, default=12345)
    a = ap.parse_args()
    for k in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
        os.environ[k] = str(a.threads)
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    train = load(a.train, a.max_train)
    held = load(a.heldout, a.heldout_n)
    L, H, A, FF, V = a.layers, a.hidden, a.heads, a.ffn, a.vocab
    S = len(train[0]['input_ids'])
    total = a.total_steps or len(train) // a.batch

    def tensors(rows):
        t = lambda k, dt: torch.tensor([r[k] for r in rows], dtype=dt)
        return (t('input_ids', torch.long), t('segment_ids', torch.long), t('input_mask', torch.long),
                t('masked_lm_positions', torch.long), t('masked_lm_ids', torch.long),
                t('masked_lm_weights', torch.float), torch.tensor([r['next_sentence_labels'] for r in rows]))

    class Bert(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = nn.Embedding(V, H)
            self.pos = nn.Embedding(S, H)
            self.seg = nn.Embedding(2, H)
            self.emb_ln = nn.LayerNorm(H, eps=1e-12)
            self.drop = nn.Dropout(a.dropout)
            self.blocks = nn.ModuleList(
                nn.TransformerEncoderLayer(d_model=H, nhead=A, dim_feedforward=FF, dropout=a.dropout,
                                           activation='gelu', batch_first=True, norm_first=False, layer_norm_eps=1e-12)
                for _ in range(L))
            self.mlm_dense = nn.Linear(H, H)
            self.mlm_ln = nn.LayerNorm(H, eps=1e-12)
            self.decoder = None if a.tied else nn.Linear(H, V, bias=False)
            self.mlm_bias = nn.Parameter(torch.zeros(V))
            self.pool = nn.Linear(H, H)
            self.nsp = nn.Linear(H, 2)
            for m in self.modules():   # BERT's initializer_range 0.02, zero biases
                if isinstance(m, (nn.Linear, nn.Embedding)):
                    nn.init.normal_(m.weight, std=0.02)
                if isinstance(m, nn.Linear) and m.bias is not None:
                    nn.init.zeros_(m.bias)
            for blk in self.blocks:
                nn.init.normal_(blk.self_attn.in_proj_weight, std=0.02)
                nn.init.zeros_(blk.self_attn.in_proj_bias)

        def forward(self, ids, segs, mask, mpos):
            x = self.drop(self.emb_ln(self.tok(ids) + self.pos.weight[:ids.size(1)].unsqueeze(0) + self.seg(segs)))
            pad = mask == 0
            for blk in self.blocks:
                x = blk(x, src_key_padding_mask=pad)
            m = torch.gather(x, 1, mpos.unsqueeze(-1).expand(-1, -1, H))
            m = self.mlm_ln(F.gelu(self.mlm_dense(m)))
            w = self.tok.weight if self.decoder is None else self.decoder.weight
            logits = m @ w.t() + self.mlm_bias
            nsp = self.nsp(torch.tanh(self.pool(x[:, 0])))
            return logits, nsp

    def losses(model, b):
        ids, segs, mask, mpos, mids, mw, nspl = b
        logits, nsp = model(ids, segs, mask, mpos)
        ce = F.cross_entropy(logits.reshape(-1, V), mids.reshape(-1), reduction='none').reshape(mids.shape)
        mlm = (ce * mw).sum() / mw.sum().clamp(min=1e-5)
        return mlm, F.cross_entropy(nsp, nspl), logits, nsp

    model = Bert()
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        (no_decay if p.dim() < 2 else decay).append(p)
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': a.weight_decay},
                             {'params': no_decay, 'weight_decay': 0.0}], lr=a.lr, betas=(0.9, 0.999), eps=1e-8)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / a.warmup if s < a.warmup else max(0.0, (total - s) / max(1, total - a.warmup)))
    # "layers" for per-layer clipping, as DL4J's ClipL2PerLayer groups them
    groups = [[model.tok.weight], [model.seg.weight], [model.pos.weight, *model.emb_ln.parameters()]]
    groups += [list(blk.parameters()) for blk in model.blocks]
    groups += [[*model.mlm_dense.parameters(), *model.mlm_ln.parameters()],
               [model.mlm_bias] + ([] if model.decoder is None else [model.decoder.weight]),
               list(model.pool.parameters()), list(model.nsp.parameters())]

    hb = tensors(held)

    def evaluate():
        model.eval()
        ml = mc = mw_sum = nl = nc = 0.0
        with torch.no_grad():
            for i in range(0, len(held), 100):
                b = tuple(t[i:i + 100] for t in hb)
                _, _, logits, nsp = losses(model, b)
                mids, mw, nspl = b[4], b[5], b[6]
                lp = F.log_softmax(logits, -1)
                ml += float(-(lp.gather(-1, mids.unsqueeze(-1)).squeeze(-1) * mw).sum())
                mc += float(((logits.argmax(-1) == mids).float() * mw).sum())
                mw_sum += float(mw.sum())
                nlp = F.log_softmax(nsp, -1)
                nl += float(-nlp.gather(-1, nspl.unsqueeze(-1)).sum())
                nc += float((nsp.argmax(-1) == nspl).float().sum())
        model.train()
        return ml / mw_sum, mc / mw_sum, nl / len(held), nc / len(held)

    g = torch.Generator().manual_seed(a.seed)
    order = torch.randperm(len(train), generator=g).tolist()
    stop = a.stop_after or len(train)
    out = open(a.out, 'w')
    seconds = 0.0

    def log(step):
        m = evaluate()
        rec = {'examples_seen': step * a.batch, 'steps': step, 'seconds': round(seconds, 1),
               'heldout_mlm_loss': m[0], 'heldout_mlm_accuracy': m[1], 'heldout_nsp_loss': m[2],
               'heldout_nsp_accuracy': m[3]}
        out.write(json.dumps(rec) + '\n')
        out.flush()
        print(json.dumps(rec), flush=True)

    log(0)
    step = 0
    for i in range(0, min(stop, len(order)) - a.batch + 1, a.batch):
        t0 = time.perf_counter()
        b = tensors([train[j] for j in order[i:i + a.batch]])
        mlm, nsp, _, _ = losses(model, b)
        opt.zero_grad(set_to_none=True)
        (mlm + nsp).backward()
        if a.global_clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        else:
            for grp in groups:
                torch.nn.utils.clip_grad_norm_(grp, 1.0)
        opt.step()
        sched.step()
        step += 1
        seconds += time.perf_counter() - t0
        if step % a.eval_every == 0:
            log(step)
    if step % a.eval_every != 0:
        log(step)
    out.close()


if __name__ == '__main__':
    sys.exit(main())
