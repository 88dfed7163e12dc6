namespace PushApi.Core.Push.Engine;

/// <summary>An auto-reset signal to wait on with a timeout: set by notifications, waited on by idle loops.</summary>
public sealed class WakeSignal
{
    private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Set() => _signal.TrySetResult();

    /// <summary>Waits until set or the timeout; returns without throwing when <paramref name="stopping"/> fires.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken stopping)
    {
        var current = _signal;
        try
        {
            await current.Task.WaitAsync(timeout, stopping);
        }
        catch (TimeoutException)
        {
        }
        catch (OperationCanceledException)
        {
        }

        Interlocked.CompareExchange(ref _signal, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), current);
    }
}
