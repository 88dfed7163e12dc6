using PushApi.Core.Errors;
using PushApi.Core.Governance.Windows;

namespace PushApi.UnitTests.Governance;

/// <summary>
/// Maintenance windows in instants, at fixed instants and on a fake clock: windows that cross midnight and the
/// two daylight-saving edges. Europe/Berlin changes on 2026-03-29 (02:00 CET → 03:00 CEST, at 01:00 UTC) and
/// 2026-10-25 (03:00 CEST → 02:00 CET, at 01:00 UTC); America/New_York on 2026-03-08 (02:00 → 03:00, at 07:00 UTC).
/// </summary>
public class WindowScheduleTests
{
    private static MaintenanceWindow Window(string zone, string start, string end, params string[] days) =>
        MaintenanceWindow.Parse(new MaintenanceWindowInput(zone, days.Length == 0 ? null : days, start, end));

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text + "Z", System.Globalization.CultureInfo.InvariantCulture);

    [Test]
    public void A_window_that_crosses_midnight_belongs_to_the_day_it_opens()
    {
        var weeknights = Window("Europe/Berlin", "22:00", "04:00", "Mon", "Tue", "Wed", "Thu", "Friday");

        // Monday 2026-12-07, 23:00 in Berlin (CET, +1): open until Tuesday 04:00.
        Assert.That(WindowSchedule.At(weeknights, Utc("2026-12-07T22:00:00")), Is.EqualTo(new WindowState(true, Utc("2026-12-08T03:00:00"))));

        // Saturday 02:00: still Friday's window.
        Assert.That(WindowSchedule.At(weeknights, Utc("2026-12-12T01:00:00")), Is.EqualTo(new WindowState(true, Utc("2026-12-12T03:00:00"))));

        // Saturday 23:00 and Monday 03:00 (Sunday opens no window): closed until Monday 22:00.
        Assert.That(WindowSchedule.At(weeknights, Utc("2026-12-12T22:00:00")), Is.EqualTo(new WindowState(false, Utc("2026-12-14T21:00:00"))));
        Assert.That(WindowSchedule.At(weeknights, Utc("2026-12-14T02:00:00")), Is.EqualTo(new WindowState(false, Utc("2026-12-14T21:00:00"))));
    }

    [Test]
    public void The_start_is_inside_the_window_and_the_end_is_not()
    {
        var office = Window("UTC", "09:00", "17:00");
        Assert.That(WindowSchedule.At(office, Utc("2026-12-07T09:00:00")), Is.EqualTo(new WindowState(true, Utc("2026-12-07T17:00:00"))));
        Assert.That(WindowSchedule.At(office, Utc("2026-12-07T17:00:00")), Is.EqualTo(new WindowState(false, Utc("2026-12-08T09:00:00"))));
        Assert.That(WindowSchedule.At(office, Utc("2026-12-07T08:59:59")), Is.EqualTo(new WindowState(false, Utc("2026-12-07T09:00:00"))));
    }

    [Test]
    public void A_start_in_the_spring_gap_opens_at_the_jump()
    {
        var early = Window("Europe/Berlin", "02:30", "04:00");

        // 01:30 CET: the window opens when the clocks jump to 03:00 CEST and closes at 04:00 CEST.
        Assert.That(WindowSchedule.At(early, Utc("2026-03-29T00:30:00")), Is.EqualTo(new WindowState(false, Utc("2026-03-29T01:00:00"))));
        Assert.That(WindowSchedule.At(early, Utc("2026-03-29T01:00:00")), Is.EqualTo(new WindowState(true, Utc("2026-03-29T02:00:00"))));
    }

    [Test]
    public void A_window_wholly_in_the_spring_gap_still_opens_right_after_the_jump_for_its_length()
    {
        var lost = Window("Europe/Berlin", "02:00", "02:30");
        Assert.That(WindowSchedule.At(lost, Utc("2026-03-29T00:30:00")), Is.EqualTo(new WindowState(false, Utc("2026-03-29T01:00:00"))));
        Assert.That(WindowSchedule.At(lost, Utc("2026-03-29T01:10:00")), Is.EqualTo(new WindowState(true, Utc("2026-03-29T01:30:00"))), "02:30 is read as 03:30 CEST");
    }

    [Test]
    public void An_end_in_the_spring_gap_moves_forward_by_the_gap()
    {
        var night = Window("Europe/Berlin", "01:30", "02:30");
        Assert.That(WindowSchedule.At(night, Utc("2026-03-29T00:30:00")), Is.EqualTo(new WindowState(true, Utc("2026-03-29T01:30:00"))));
    }

    [Test]
    public void A_window_that_the_jump_swallows_whole_waits_for_the_next_day()
    {
        // New York, 02:00–03:00 on the night the clocks go from 02:00 to 03:00: the window has no instant that night.
        var swallowed = Window("America/New_York", "02:00", "03:00");
        Assert.That(WindowSchedule.At(swallowed, Utc("2026-03-08T06:30:00")), Is.EqualTo(new WindowState(false, Utc("2026-03-09T06:00:00"))));
    }

    [Test]
    public void In_the_repeated_autumn_hour_a_start_is_its_first_occurrence_and_an_end_its_second()
    {
        var repeated = Window("Europe/Berlin", "02:15", "02:45");

        // 02:15 CEST (00:15 UTC) to the second 02:45, in CET (01:45 UTC): open through both passes of the hour.
        Assert.That(WindowSchedule.At(repeated, Utc("2026-10-25T00:00:00")), Is.EqualTo(new WindowState(false, Utc("2026-10-25T00:15:00"))));
        Assert.That(WindowSchedule.At(repeated, Utc("2026-10-25T00:50:00")), Is.EqualTo(new WindowState(true, Utc("2026-10-25T01:45:00"))));
        Assert.That(WindowSchedule.At(repeated, Utc("2026-10-25T01:20:00")), Is.EqualTo(new WindowState(true, Utc("2026-10-25T01:45:00"))), "02:20 the second time");
    }

    [Test]
    public void A_window_crossing_midnight_on_the_autumn_night_lasts_an_hour_longer()
    {
        var overnight = Window("Europe/Berlin", "23:00", "05:00", "Saturday");

        // Saturday 23:00 CEST (21:00 UTC) to Sunday 05:00 CET (04:00 UTC): seven hours of instants.
        var state = WindowSchedule.At(overnight, Utc("2026-10-24T21:00:00"));
        Assert.That(state, Is.EqualTo(new WindowState(true, Utc("2026-10-25T04:00:00"))));
        Assert.That(state.Until - Utc("2026-10-24T21:00:00"), Is.EqualTo(TimeSpan.FromHours(7)));
    }

    [Test]
    public void On_a_fake_clock_the_window_opens_and_closes_once_per_night_across_the_spring_change()
    {
        var clock = new SteppingClock(Utc("2026-03-28T18:00:00"));
        var window = Window("Europe/Berlin", "22:00", "04:00");
        var changes = new List<(DateTimeOffset At, bool Open)>();
        bool? last = null;
        while (clock.GetUtcNow() < Utc("2026-03-30T06:00:00"))
        {
            var state = WindowSchedule.At(window, clock.GetUtcNow());
            if (state.Open != last)
            {
                changes.Add((clock.GetUtcNow(), state.Open));
                last = state.Open;
            }

            clock.Advance(TimeSpan.FromMinutes(15));
        }

        // Saturday night in CET (22:00 = 21:00 UTC) closes at 04:00 CEST (02:00 UTC): an hour shorter; Sunday night in CEST.
        Assert.That(changes, Is.EqualTo(new[]
        {
            (Utc("2026-03-28T18:00:00"), false),
            (Utc("2026-03-28T21:00:00"), true),
            (Utc("2026-03-29T02:00:00"), false),
            (Utc("2026-03-29T20:00:00"), true),
            (Utc("2026-03-30T02:00:00"), false),
        }));
    }

    [Test]
    public void Bad_windows_are_refused_naming_each_field()
    {
        var errors = MaintenanceWindow.Check(new MaintenanceWindowInput("Mars/Olympus", ["Mon", "Funday"], "25:00", "7pm"));
        Assert.That(errors.Keys, Is.EquivalentTo(new[] { "maintenanceWindow.timeZone", "maintenanceWindow.days", "maintenanceWindow.start", "maintenanceWindow.end" }));
        Assert.That(errors["maintenanceWindow.days"], Does.Contain("Funday"));
        Assert.That(MaintenanceWindow.Check(new MaintenanceWindowInput("UTC", null, "10:00", "10:00")).Keys, Is.EqualTo(new[] { "maintenanceWindow.end" }));
        Assert.That(MaintenanceWindow.Check(new MaintenanceWindowInput("UTC", [], "10:00", "11:00")).Keys, Is.EqualTo(new[] { "maintenanceWindow.days" }));
        Assert.That(MaintenanceWindow.Check(new MaintenanceWindowInput("W. Europe Standard Time", null, "10:00", "11:00")).Keys, Is.EqualTo(new[] { "maintenanceWindow.timeZone" }), "IANA names only");
        Assert.Throws<InputException>(() => MaintenanceWindow.Parse(new MaintenanceWindowInput(null, null, "22:00", "04:00")));
    }

    [Test]
    public void A_valid_window_is_kept_in_a_canonical_form()
    {
        var window = Window("Europe/Berlin", "22:00", "04:00", "friday", "MON", "Mon");
        Assert.That(window.ToInput().Days, Is.EqualTo(new[] { "Monday", "Friday" }));
        Assert.That(window.CrossesMidnight, Is.True);
        Assert.That(MaintenanceWindow.FromJson(window.ToJson())!.ToJson(), Is.EqualTo(window.ToJson()));
        Assert.That(Window("UTC", "00:00", "23:59").Days, Has.Count.EqualTo(7), "no days: every day");
    }

    [Test]
    public void A_stored_window_whose_zone_the_host_no_longer_knows_reads_as_always_open()
    {
        var stored = MaintenanceWindow.FromJson("""{"timeZone":"Gone/Away","days":["Monday"],"start":"22:00","end":"04:00"}""");
        Assert.That(stored, Is.Not.Null, "the tenant stays readable");
        Assert.That(stored!.StateAt(Utc("2026-12-07T12:00:00")).Open, Is.True);
        Assert.That(MaintenanceWindow.FromJson("""{"timeZone":"UTC","start":"nonsense"}"""), Is.Null);
    }

    /// <summary>A clock the test moves by hand.</summary>
    private sealed class SteppingClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
