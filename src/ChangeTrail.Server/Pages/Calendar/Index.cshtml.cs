using System.Globalization;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Calendar;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features.Calendar;
using ChangeTrail.Server.Features.Notifications;
using ChangeTrail.Server.Features.Services;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace ChangeTrail.Server.Pages.Calendar;

/// <summary>The freeze form as a browser posts it: times in UTC from datetime-local boxes, services ticked by name (none: every service).</summary>
public sealed class FreezeForm
{
    public string? Name { get; set; }
    public DateTime? Start { get; set; }
    public DateTime? End { get; set; }
    public List<string> Services { get; set; } = [];
    public string? Recurrence { get; set; }

    /// <summary>The API's request, so the form goes through the same use case and rules as POST /freeze-windows.</summary>
    public CreateFreezeWindowRequest ToRequest() =>
        new(Name, Start, End, Services, string.IsNullOrWhiteSpace(Recurrence) ? null : Recurrence);
}

/// <summary>One day on the calendar: the changes planned on it and the freezes covering it (each freeze once, however often it recurs that day).</summary>
public sealed record CalendarDay(DateOnly Date, bool IsToday, IReadOnlyList<PlannedChange> Changes,
    IReadOnlyList<(FreezeWindow Freeze, FreezeOccurrence Occurrence)> Freezes);

/// <summary>
/// The change calendar: a month (or a Monday-to-Sunday week) of planned changes and freezes, the conflicts a change board
/// looks for, and the freeze windows of the period, which an Admin defines and lifts here through the same use cases as
/// the API. Every day is a UTC day.
/// </summary>
public sealed class IndexModel(ChangeTrailDbContext db, Clock clock, Notifier notifier, IAuthorizationService authorization) : ChangeTrailPage
{
    public const string WeekView = "week";

    /// <summary>Who may define and lift freezes: the policy of POST and DELETE /freeze-windows, so the page shows what the API allows.</summary>
    private static readonly AuthorizationPolicy FreezePolicy = EndpointAuthorization.AccessPolicy(Scopes.Admin, Role.Admin);

    /// <summary>The form's fields, by the keys their errors are shown under; any other error is listed at the top.</summary>
    public static readonly string[] FormKeys = ["Form.Name", "Form.Start", "Form.End", "Form.Services", "Form.Recurrence"];

    [BindProperty(SupportsGet = true, Name = "date")] public string? Date { get; set; }
    [BindProperty(SupportsGet = true, Name = "view")] public string? View { get; set; }
    [BindProperty(SupportsGet = true, Name = "service")] public string? Service { get; set; }

    [BindProperty]
    public FreezeForm Form { get; set; } = new();

    public bool IsWeek { get; private set; }
    public DateTime Now { get; private set; }
    public DateOnly Today { get; private set; }

    /// <summary>The day the period is chosen by (<c>?date=</c>, else today).</summary>
    public DateOnly Anchor { get; private set; }

    /// <summary>The first and last day shown, both included.</summary>
    public DateOnly From { get; private set; }
    public DateOnly To { get; private set; }

    public CalendarView? Calendar { get; private set; }

    /// <summary>The month view's rows, Monday first; null where a day of another month would be.</summary>
    public IReadOnlyList<CalendarDay?[]> Weeks { get; private set; } = [];

    public IReadOnlyList<CalendarDay> Days { get; private set; } = [];

    public IReadOnlyList<CalendarConflictDto> Conflicts { get; private set; } = [];

    public IReadOnlyList<FreezeWindowResponse> FreezeWindows { get; private set; } = [];

    public IReadOnlyList<string> ServiceNames { get; private set; } = [];

    public bool CanManageFreezes { get; private set; }

    public string Title => IsWeek
        ? $"Week of {From.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}"
        : From.ToString("MMMM yyyy", CultureInfo.InvariantCulture);

    public string PreviousLink => Link(IsWeek, IsWeek ? From.AddDays(-7) : From.AddMonths(-1));
    public string NextLink => Link(IsWeek, IsWeek ? From.AddDays(7) : From.AddMonths(1));
    public string TodayLink => Link(IsWeek, null);
    public string MonthLink => Link(false, Anchor);
    public string WeekLink => Link(true, Anchor);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        ReadPeriod();
        await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostDefineAsync(CancellationToken cancellationToken)
    {
        ReadPeriod();
        var allowed = await authorization.AuthorizeAsync(User, FreezePolicy);
        if (!allowed.Succeeded)
            ShowRefusal(EndpointAuthorization.RefusalOf(allowed.Failure));
        else if (ModelState.IsValid)
        {
            var result = await CreateFreezeWindow.ExecuteAsync(Form.ToRequest(), Viewer, db, notifier, clock.UtcNow, cancellationToken);
            if (result.IsSuccess)
            {
                var freeze = result.Value!;
                var shown = freeze.Current ?? new FreezeOccurrenceDto(freeze.Start, freeze.End);
                Notice = $"The freeze '{freeze.Name}' was defined: {Display.Instant(shown.Start)} to {Display.Instant(shown.End)} UTC" +
                         (freeze.Recurrence is null ? "." : ", and again as its recurrence gives.");
                // The period of its occurrence in force or next, where the new freeze can be seen.
                return Redirect(Link(IsWeek, DateOnly.FromDateTime(shown.Start)));
            }
            ShowRefusal(result.Error!);
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostLiftAsync(Guid id, CancellationToken cancellationToken)
    {
        ReadPeriod();
        var allowed = await authorization.AuthorizeAsync(User, FreezePolicy);
        var result = allowed.Succeeded
            ? await LiftFreezeWindow.ExecuteAsync(id, Viewer, db, clock.UtcNow, cancellationToken)
            : EndpointAuthorization.RefusalOf(allowed.Failure);
        if (result.IsSuccess)
        {
            Notice = $"The freeze '{result.Value!.Name}' was lifted: from now on it holds no change back. Its record is kept.";
            return Redirect(Link(IsWeek, Date is null ? null : Anchor));
        }
        db.ChangeTracker.Clear();
        ShowRefusal(result.Error!);
        await LoadAsync(cancellationToken);
        return Page();
    }

    /// <summary>The same service filter, another period or view; the view and the date are left out when they are the defaults.</summary>
    public string Link(bool week, DateOnly? date)
    {
        var parameters = new Dictionary<string, string?>
        {
            ["view"] = week ? WeekView : null,
            ["date"] = DateQuery.Text(date),
            ["service"] = string.IsNullOrWhiteSpace(Service) ? null : Service,
        };
        return "/calendar" + QueryString.Create(parameters.Where(p => p.Value is not null)).ToUriComponent();
    }

    /// <summary>The period the query string asks for: the month (or the Monday-to-Sunday week) holding the date, or today.</summary>
    private void ReadPeriod()
    {
        Now = clock.UtcNow;
        Today = DateOnly.FromDateTime(Now);
        var malformed = new Dictionary<string, string[]>(StringComparer.Ordinal);
        Anchor = DateQuery.Read("date", Date, malformed) ?? Today;
        if (malformed.Count > 0)
            ShowMessage($"'{Date}' is not a date ({DateQuery.Format}); the calendar shows today.");
        IsWeek = string.Equals(View, WeekView, StringComparison.OrdinalIgnoreCase);
        From = IsWeek ? Anchor.AddDays(-DaysSinceMonday(Anchor)) : new DateOnly(Anchor.Year, Anchor.Month, 1);
        To = IsWeek ? From.AddDays(6) : From.AddMonths(1).AddDays(-1);
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        ServiceNames = await ListServices.NamesAsync(db, cancellationToken);
        CanManageFreezes = (await authorization.AuthorizeAsync(User, FreezePolicy)).Succeeded;
        // The page makes both dates itself, so nothing here is malformed; a service that names none is a refusal.
        var result = await GetCalendar.ExecuteAsync(new CalendarQuery(DateQuery.Text(From), DateQuery.Text(To), Service), db, Now,
            new Dictionary<string, string[]>(StringComparer.Ordinal), cancellationToken);
        if (!result.IsSuccess)
        {
            if (Refusal is null)
                ShowRefusal(result.Error!, modelPrefix: "");
            return;
        }
        var calendar = Calendar = result.Value!;
        var occurrences = calendar.FreezeOccurrences.ToList();
        Days = Enumerable.Range(0, To.DayNumber - From.DayNumber + 1).Select(i => DayOf(From.AddDays(i), calendar, occurrences)).ToList();
        var cells = Enumerable.Repeat<CalendarDay?>(null, DaysSinceMonday(From)).Concat(Days).ToList();
        while (cells.Count % 7 != 0)
            cells.Add(null);
        Weeks = cells.Chunk(7).ToList();
        Conflicts = calendar.Conflicts.Select(c => GetCalendar.ConflictOf(calendar, c)).ToList();
        FreezeWindows = await FreezeWindowView.BuildAsync(calendar.Freezes, db, Now, cancellationToken);
    }

    private CalendarDay DayOf(DateOnly date, CalendarView calendar, IReadOnlyList<(FreezeWindow Freeze, FreezeOccurrence Occurrence)> occurrences)
    {
        var start = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var end = start.AddDays(1);
        return new CalendarDay(date, date == Today,
            calendar.Changes.Where(c => c.Overlaps(start, end)).ToList(),
            occurrences.Where(o => o.Occurrence.Overlaps(start, end)).DistinctBy(o => o.Freeze.Id).ToList());
    }

    private static int DaysSinceMonday(DateOnly date) => ((int)date.DayOfWeek + 6) % 7;
}
