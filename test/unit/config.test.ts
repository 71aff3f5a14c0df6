/** Settings with an old name keep working. */
import { expect } from 'chai';
import { DEFAULT_LOGIN_PER_ADDRESS_PER_MINUTE, loadConfig, loginPerAddress } from '../../server/config';

describe('config', () => {
  it('the per-address sign-in limit: the new name, else RATE_LIMIT_LOGIN_PER_MINUTE, else the default', () => {
    expect(loginPerAddress(loadConfig({}))).to.equal(DEFAULT_LOGIN_PER_ADDRESS_PER_MINUTE);
    expect(loginPerAddress(loadConfig({ RATE_LIMIT_LOGIN_PER_MINUTE: '7' }))).to.equal(7);
    expect(loginPerAddress(loadConfig({ RATE_LIMIT_LOGIN_PER_MINUTE: '7', RATE_LIMIT_LOGIN_PER_ADDRESS_PER_MINUTE: '40' }))).to.equal(40);
    expect(DEFAULT_LOGIN_PER_ADDRESS_PER_MINUTE).to.be.above(loadConfig({}).RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_PER_MINUTE);
  });
});
