import { expect } from 'chai';
import { timeSlicer } from '../../server/workers/slices';

describe('time slices', () => {
  it('gives the event loop a turn at a pause once the slice is spent', async () => {
    const pause = timeSlicer(0);
    let turned = false;
    setImmediate(() => (turned = true));
    await pause();
    expect(turned).to.equal(true);
  });

  it('does not yield while the slice lasts', async () => {
    const pause = timeSlicer(60_000);
    let turned = false;
    const immediate = setImmediate(() => (turned = true));
    await pause();
    expect(turned).to.equal(false);
    clearImmediate(immediate);
  });
});
