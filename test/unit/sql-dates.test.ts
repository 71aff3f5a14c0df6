/** Raw date columns: Sequelize's SQLite text and Postgres Dates read back as the same instant. */
import { expect } from 'chai';
import { asDate, asEpochMs } from '../../server/sql';

describe('sql: raw date columns', () => {
  it('parses Sequelize’s SQLite text by position to the same instant as Date does', () => {
    for (const iso of ['2026-11-22T20:17:10.954Z', '2024-02-29T00:00:00.000Z', '1999-12-31T23:59:59.999Z']) {
      const text = iso.replace('T', ' ').replace('Z', ' +00:00');
      expect(asEpochMs(text), text).to.equal(Date.parse(iso));
      expect(asEpochMs(text)).to.equal(asDate(text).getTime());
    }
  });

  it('takes Postgres Dates and other text through Date', () => {
    expect(asEpochMs(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)))).to.equal(Date.UTC(2026, 0, 2, 3, 4, 5, 6));
    expect(asEpochMs('2026-01-02 03:04:05 +00:00')).to.equal(Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(asEpochMs('2026-01-02T03:04:05.006+08:00')).to.equal(Date.UTC(2026, 0, 1, 19, 4, 5, 6));
  });
});
