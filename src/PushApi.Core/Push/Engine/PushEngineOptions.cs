using System.Globalization;

namespace PushApi.Core.Push.Engine;

/// <summary>How this instance runs pushes (configuration section <c>PushApi:Execution</c>).</summary>
public sealed class PushEngineOptions
{
    /// <summary>False for API-only instances: they schedule but never run jobs.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>In-platform jobs claimed and completed together.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>Claim loops for in-platform jobs.</summary>
    public int Workers { get; set; } = 2;

    /// <summary>
    /// Claim loops that keep running while interactive requests wait (<see cref="InteractiveDemand"/>), at
    /// <see cref="InteractiveDutyCycle"/>; the others pause until it is quiet. At least 1; <see cref="Workers"/> or more
    /// turns the precedence off.
    /// </summary>
    public int WorkersWhileInteractive { get; set; } = 1;

    /// <summary>How long after the last interactive request the paused claim loops wait before they resume.</summary>
    public TimeSpan InteractiveQuietPeriod { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The share of time the loops that keep running while people wait spend on batches (each batch is followed by a
    /// pause): 0.2 keeps the API's p99 during a push within 2× of idle on 2 cores (P8). 1 means no pause.
    /// </summary>
    public double InteractiveDutyCycle { get; set; } = 0.2;

    /// <summary>The pause after a batch while people wait, as a multiple of the batch's time.</summary>
    public double InteractivePauseFactor => InteractiveDutyCycle is > 0 and < 1 ? (1 / InteractiveDutyCycle) - 1 : 0;

    /// <summary>Remote-agent upgrades in flight at once.</summary>
    public int Concurrency { get; set; } = 32;

    /// <summary>How long a claimed job belongs to this instance before others may take it back.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often to look for work when no notification came.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a stopping instance lets running upgrades finish before it hands them back.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How often the reconciler rescues expired leases and repairs schedules and roll-ups.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the rollout supervisor judges running waves, starts baked ones and halts failing ones.</summary>
    public TimeSpan RolloutInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// This node's stable id (the Quartz scheduler instance id, <c>&lt;machine&gt;:&lt;port&gt;</c> by default), the same
    /// across restarts; a node without a fixed port gets one of its own, so it never mistakes another for itself.
    /// </summary>
    public string NodeId { get; set; } = $"{Environment.MachineName}:{Guid.NewGuid().ToString("N")[..12]}";

    /// <summary>This run of the node: its process id and a nonce.</summary>
    public string Incarnation { get; } = $"{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}:{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>This instance's name in leases, <c>&lt;node&gt;#&lt;pid&gt;:&lt;nonce&gt;</c>: a restarted node finds its earlier runs' leases by the prefix.</summary>
    public string LeaseOwner => LeaseOwnerPrefix(NodeId) + Incarnation;

    /// <summary>What the lease owner of every run of <paramref name="nodeId"/> starts with.</summary>
    public static string LeaseOwnerPrefix(string nodeId) => nodeId + "#";
}

/// <summary>Calls to remote tenants' agents (configuration section <c>PushApi:Agent</c>).</summary>
public sealed class RemoteAgentOptions
{
    /// <summary>One attempt's time limit.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries after the first attempt, for timeouts, connection failures, 429 and 503.</summary>
    public int Retries { get; set; } = 3;

    /// <summary>The first retry's delay; later ones back off exponentially.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);
}
