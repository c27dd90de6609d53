namespace HealthPortal.Features.Anchoring;

/// <summary>
/// One asynchronous mutex per key (a confirmation id): calls on the same confirmation run one at a time (a double
/// click, two open tabs, a patient confirming while the facility withdraws), calls on different confirmations run
/// side by side. A key's semaphore exists only while someone holds or waits for it, so the table does not grow with
/// every confirmation ever seen.
/// </summary>
public sealed class KeyedLock
{
    internal sealed class Entry
    {
        public readonly SemaphoreSlim Semaphore = new(1, 1);
        // Holders plus waiters; changed only under the table's lock, so the last one out removes the entry.
        public int Users;
    }

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Keys held or waited for right now (tests check that idle keys are dropped).</summary>
    public int ActiveKeys
    {
        get
        {
            lock (_entries) return _entries.Count;
        }
    }

    /// <summary>Waits for <paramref name="key"/>; dispose the answer to let the next caller of that key in.</summary>
    public async ValueTask<Releaser> AcquireAsync(string key, CancellationToken ct = default)
    {
        Entry entry;
        lock (_entries)
        {
            if (!_entries.TryGetValue(key, out entry!))
            {
                entry = new Entry();
                _entries[key] = entry;
            }
            entry.Users++;
        }
        try
        {
            await entry.Semaphore.WaitAsync(ct);
        }
        catch
        {
            // Cancelled while waiting: this caller never held it, but it counted as a user.
            Leave(key, entry, held: false);
            throw;
        }
        return new Releaser(this, key, entry);
    }

    private void Leave(string key, Entry entry, bool held)
    {
        lock (_entries)
        {
            if (--entry.Users == 0) _entries.Remove(key);
        }
        // Released after the bookkeeping: a waiter already counted keeps the entry alive, a new caller after the removal
        // makes a fresh one (nobody can be waiting on this one any more, since Users reached 0).
        if (held) entry.Semaphore.Release();
    }

    /// <summary>Holding one key; disposing releases it once.</summary>
    public struct Releaser : IDisposable
    {
        private KeyedLock? _owner;
        private readonly string _key;
        private readonly Entry _entry;

        internal Releaser(KeyedLock owner, string key, Entry entry)
        {
            _owner = owner;
            _key = key;
            _entry = entry;
        }

        public void Dispose()
        {
            var owner = _owner;
            _owner = null;
            owner?.Leave(_key, _entry, held: true);
        }
    }
}
