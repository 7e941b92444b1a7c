import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FaultFileSystem, FaultInjectionError } from '../../../engines/ts/fault-fs.js';
import { b, s } from './helpers.js';

describe('fault-injecting file system', () => {
  it('a crash drops unsynced bytes and unsynced directory entries', () => {
    const fs = new FaultFileSystem();
    const f = fs.create('/d/a');
    f.append(b('synced'), 0, 6);
    f.sync();
    fs.syncDir('/d');
    f.append(b('-lost'), 0, 5);
    const g = fs.create('/d/b');
    g.append(b('x'), 0, 1);
    g.sync(); // data synced, but the directory entry was not
    fs.crash();
    assert.equal(s(fs.readAll('/d/a')), 'synced');
    assert.equal(fs.exists('/d/b'), false);
    assert.throws(() => f.append(b('z'), 0, 1), FaultInjectionError, 'handles from before the crash are dead');
  });

  it('tears the unsynced tail to a prefix', () => {
    const fs = new FaultFileSystem();
    const f = fs.create('/d/a');
    fs.syncDir('/d');
    f.append(b('0123456789'), 0, 10);
    fs.crash({ tear: true, random: () => 0.5 });
    assert.equal(s(fs.readAll('/d/a')), '01234');
  });

  it('renames are durable only after a directory sync', () => {
    const fs = new FaultFileSystem();
    const f = fs.create('/d/tmp');
    f.append(b('new'), 0, 3);
    f.sync();
    fs.syncDir('/d');
    fs.rename('/d/tmp', '/d/final');
    const copy = fs.clone();
    copy.crash();
    assert.equal(copy.exists('/d/final'), false);
    assert.equal(copy.exists('/d/tmp'), true);
    fs.syncDir('/d');
    fs.crash();
    assert.equal(s(fs.readAll('/d/final')), 'new');
  });

  it('a kill keeps everything handed to the OS', () => {
    const fs = new FaultFileSystem();
    const f = fs.create('/d/a');
    f.append(b('os'), 0, 2);
    fs.kill();
    assert.equal(s(fs.readAll('/d/a')), 'os');
  });

  it('flips bytes and injects I/O failures', () => {
    const fs = new FaultFileSystem();
    fs.setContents('/d/a', b('A'));
    fs.flip('/d/a', 0, 0x20);
    assert.equal(s(fs.readAll('/d/a')), 'a');
    fs.failAfterWrites = 1;
    const f = fs.create('/d/b');
    assert.throws(() => f.append(b('x'), 0, 1), FaultInjectionError);
  });
});
