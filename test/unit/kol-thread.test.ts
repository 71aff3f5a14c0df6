/**
 * The full KOL recompute off the event loop: a worker thread computes the same state as the
 * inline recompute, and interactions that arrive while it runs are credited on top of it exactly
 * as if they had arrived just after an inline recompute.
 */
import { expect } from 'chai';
import { InteractionGraph, type Interaction } from '../../search/kol/graph';
import { computeKolState } from '../../search/kol/score';
import { IncrementalKol } from '../../search/kol/incremental';
import { KolRecomputeThread } from '../../search/kol/recompute-thread';
import { generateCommunity, loadCommunity } from '../../bench/support/community';

const community = () => generateCommunity({ seed: 5, members: 1500, interactions: 20_000, influencers: 8, spammers: 4 });

describe('kol: recompute on a worker thread', function () {
  this.timeout(60_000);
  const thread = new KolRecomputeThread();
  after(() => thread.close());

  it('gives the same ranking, scores and norms as the inline recompute', async () => {
    const g = loadCommunity(community(), new InteractionGraph());
    const now = g.latestAt;
    const inline = computeKolState(g, { now });
    const remote = await thread.run(g.snapshot(), now, inline.params);
    expect(Array.from(remote.order)).to.deep.equal(Array.from(inline.order));
    expect(Array.from(remote.scores)).to.deep.equal(Array.from(inline.scores));
    expect(Array.from(remote.core)).to.deep.equal(Array.from(inline.core));
    expect(remote.norms).to.deep.equal(inline.norms);
    expect(Array.from(remote.inCsr.edge)).to.deep.equal(Array.from(inline.inCsr.edge));
    expect(remote.pageRankIterations).to.equal(inline.pageRankIterations);
  });

  it('sends a graph’s names once: later runs send only new names and still rank as inline; another graph starts over', async () => {
    const g = loadCommunity(community(), new InteractionGraph());
    const params = computeKolState(new InteractionGraph()).params;
    await thread.run(g.snapshot(), g.latestAt, params);
    // New accounts, ranked by name among equals: a wrong name list would order them wrongly.
    for (let i = 0; i < 30; i++) g.add({ from: `user:late-${i}`, to: `user:zz-${i % 3}`, kind: 'reply', at: g.latestAt });
    const again = await thread.run(g.snapshot(), g.latestAt, params);
    expect(Array.from(again.order)).to.deep.equal(Array.from(computeKolState(g, { now: g.latestAt }).order));
    const other = loadCommunity(generateCommunity({ seed: 6, members: 400, interactions: 3000 }), new InteractionGraph());
    const fresh = await thread.run(other.snapshot(), other.latestAt, params);
    expect(Array.from(fresh.order)).to.deep.equal(Array.from(computeKolState(other, { now: other.latestAt }).order));
  });

  it('credits interactions that arrive during the recompute as if they came just after it', async () => {
    const c = community();
    const live = loadCommunity(c, new IncrementalKol());
    const threaded = loadCommunity(c, new IncrementalKol());
    const now = live.graph.latestAt;
    // Arrivals: new members engaging an influencer, a pair that turns mutual within the
    // arrivals, a pair made mutual by replying to an existing engager, and repeats.
    const top = [...live.recompute(now).order.slice(0, 3)].map((i) => live.graph.names[i]);
    live.recompute(now); // the reference: inline, then the arrivals
    const arrivals: Interaction[] = [
      { from: 'user:new-1', to: top[0], kind: 'reply', at: now, ref: 'post:a1' },
      { from: 'user:new-2', to: top[0], kind: 'like', at: now, ref: 'post:a2' },
      { from: 'user:new-1', to: 'user:new-2', kind: 'mention', at: now, ref: 'post:a3' },
      { from: 'user:new-2', to: 'user:new-1', kind: 'reply', at: now, ref: 'post:a4' },
      { from: top[0], to: 'user:new-1', kind: 'reply', at: now, ref: 'post:a5' },
      { from: top[1], to: top[2], kind: 'reply', at: now, ref: 'post:a6' },
      { from: top[2], to: top[1], kind: 'like', at: now, ref: 'post:a7' },
      { from: 'user:new-1', to: top[0], kind: 'like', at: now, ref: 'post:a8' },
    ];
    for (const x of arrivals) live.add(x);

    const snapshot = threaded.beginRecompute();
    const pending = thread.run(snapshot, now, threaded.params);
    for (const x of arrivals) threaded.add(x); // while the worker computes
    threaded.install(await pending);

    for (const node of new Set(arrivals.flatMap((x) => [x.from, x.to]))) {
      expect(threaded.score(node, now), node).to.deep.equal(live.score(node, now));
    }
    // And both agree with a full recompute on who leads.
    expect(threaded.top(3).map((s) => s.node)).to.deep.equal(top);
  });

  it('keeps the current state when a recompute is abandoned', async () => {
    const kol = loadCommunity(community(), new IncrementalKol());
    const state = kol.recompute();
    kol.beginRecompute();
    kol.add({ from: 'user:late', to: kol.graph.names[state.order[0]], kind: 'reply', at: state.now });
    kol.abortRecompute();
    expect(kol.last).to.equal(state);
    expect(kol.score('user:late')).to.not.equal(undefined);
  });

  it('fails a recompute whose worker is closed, and starts a new worker for the next one', async () => {
    const own = new KolRecomputeThread();
    const g = loadCommunity(community(), new InteractionGraph());
    const first = own.run(g.snapshot(), g.latestAt, computeKolState(new InteractionGraph()).params);
    await own.close();
    let error: unknown;
    try { await first; } catch (err) { error = err; }
    expect(String(error)).to.match(/closed|exited/);
    const again = await own.run(g.snapshot(), g.latestAt, computeKolState(new InteractionGraph()).params);
    expect(again.order.length).to.equal(g.nodeCount);
    await own.close();
  });
});
