using System.Globalization;
using System.Text.RegularExpressions;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Testing;
using Microsoft.Playwright;
using Shouldly;
using static Microsoft.Playwright.Assertions;

namespace ChangeTrail.Browser.Tests;

/// <summary>
/// The change calendar as people use it: a month and a week of planned changes and freezes, the conflicts a change board
/// looks for, and the freezes an Admin defines and lifts there. Every test plans on services of its own, a few days
/// ahead, so the tests of the class, sharing one server, neither freeze nor overlap each other.
/// </summary>
public sealed class CalendarPageTests(SetUpServer fixture) : BrowserTest(fixture), IClassFixture<SetUpServer>
{
    /// <summary>The day the tests plan on: far enough ahead that a one-off freeze on it is not over, and not today.</summary>
    private DateTime Day => App.Time.GetUtcNow().UtcDateTime.Date.AddDays(10);

    private static string DateText(DateTime day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Minute(DateTime time) => time.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>A datetime-local value, as a person types it.</summary>
    private static string LocalInput(DateTime time) => time.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);

    private static ILocator MonthCell(IPage page, DateTime day) =>
        page.Locator("table.month td").Filter(new() { Has = page.Locator($"time[datetime='{DateText(day)}']") });

    private static ILocator WeekDay(IPage page, DateTime day) =>
        page.Locator("ol.week > li").Filter(new() { Has = page.Locator($"time[datetime='{DateText(day)}']") });

    /// <summary>The entry of a change in a day: found by its link, so CR-1 never matches CR-10.</summary>
    private static ILocator ChangeItem(ILocator day, string number) =>
        day.Locator("li").Filter(new() { Has = day.Page.GetByRole(AriaRole.Link, new() { Name = number, Exact = true }) });

    private static ILocator FreezeRow(IPage page, string name) =>
        page.Locator("#freeze-windows tbody tr").Filter(new() { Has = page.GetByRole(AriaRole.Rowheader, new() { Name = name, Exact = true }) });

    [Fact]
    public async Task The_month_and_the_week_show_planned_changes_freezes_and_both_kinds_of_conflict()
    {
        var requestor = await AccountAsync(Role.Requestor);
        var scenario = new Scenario(App);
        var shared = await scenario.ServiceAsync();
        var frozen = await scenario.ServiceAsync();
        var day = Day;

        // Two changes on one service at once: one submitted, one still a draft (both open, so both can still happen).
        var first = await requestor.Api.PostJsonAsync<ChangeResponse>("/api/v1/changes",
            scenario.CompleteChange(shared) with { Title = "Rotate database credentials", PlannedStart = day.AddHours(10), PlannedEnd = day.AddHours(12) });
        first = await requestor.Api.PostJsonAsync<ChangeResponse>($"/api/v1/changes/{first.Number}/submit");
        var second = await requestor.Api.PostJsonAsync<ChangeResponse>("/api/v1/changes",
            scenario.CompleteChange(shared) with { Title = "Resize the connection pool", PlannedStart = day.AddHours(11), PlannedEnd = day.AddHours(13) });
        // A draft planned first, and a freeze defined over it afterwards (submitting into a freeze is refused).
        var inFreeze = await requestor.Api.PostJsonAsync<ChangeResponse>("/api/v1/changes",
            scenario.CompleteChange(frozen) with { Title = "Enable the new cache", PlannedStart = day.AddHours(14), PlannedEnd = day.AddHours(15) });
        var freezeName = $"Launch freeze {Scenario.Unique()}";
        await App.AsAdmin().PostJsonAsync<FreezeWindowResponse>("/api/v1/freeze-windows",
            new CreateFreezeWindowRequest(freezeName, day.AddHours(8), day.AddHours(18), [frozen], null));

        // The conflicts as the API words them; the page must show the same words.
        var api = await App.AsAdmin().GetJsonAsync<CalendarResponse>($"/api/v1/calendar?from={DateText(day)}&to={DateText(day)}");
        var overlap = api.Conflicts.Single(c => c.Kind == "overlap" && c.Change == first.Number && c.Other == second.Number).Message;
        var inside = api.Conflicts.Single(c => c.Kind == "freeze" && c.Change == inFreeze.Number).Message;
        overlap.ShouldContain(shared);
        inside.ShouldContain(freezeName);

        await SignInAsync(Page, requestor);
        await NavLink(Page, "Calendar").ClickAsync();
        await Expect(Heading(Page, "Calendar")).ToBeVisibleAsync();
        await Expect(NavLink(Page, "Calendar")).ToHaveAttributeAsync("aria-current", "page");
        await Expect(Page.GetByText("Days and times are UTC.")).ToBeVisibleAsync();
        // Today, and only today, is the current date.
        var today = Page.Locator("table.month td[aria-current='date']");
        await Expect(today).ToHaveCountAsync(1);
        await Expect(today.Locator("time")).ToHaveAttributeAsync("datetime", DateText(App.Time.GetUtcNow().UtcDateTime.Date));

        await Page.GotoAsync($"/calendar?date={DateText(day)}");
        var month = day.ToString("MMMM yyyy", CultureInfo.InvariantCulture);
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = month, Exact = true, Level = 2 })).ToBeVisibleAsync();
        var table = Page.GetByRole(AriaRole.Table, new() { Name = $"{month}, a week per row, Monday first" });
        await Expect(table.GetByRole(AriaRole.Columnheader)).ToHaveTextAsync(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]);

        var cell = MonthCell(Page, day);
        foreach (var change in new[] { first, second, inFreeze })
        {
            await Expect(cell.GetByRole(AriaRole.Link, new() { Name = change.Number, Exact = true })).ToHaveAttributeAsync("href", $"/changes/{change.Number}");
            await Expect(ChangeItem(cell, change.Number)).ToContainTextAsync(change.Title!);
        }
        await Expect(ChangeItem(cell, first.Number)).ToContainTextAsync("Submitted");
        await Expect(ChangeItem(cell, second.Number)).ToContainTextAsync("Draft");
        await Expect(cell.Locator(".freeze-band").Filter(new() { HasText = freezeName })).ToHaveTextAsync($"Freeze: {freezeName}");
        // The day after is free of all of it.
        var after = MonthCell(Page, day.AddDays(1));
        if (day.AddDays(1).Month == day.Month)
        {
            await Expect(after).ToHaveCountAsync(1);
            await Expect(after.GetByRole(AriaRole.Link, new() { Name = first.Number, Exact = true })).ToHaveCountAsync(0);
            await Expect(after.Locator(".freeze-band").Filter(new() { HasText = freezeName })).ToHaveCountAsync(0);
        }

        var conflicts = Page.GetByRole(AriaRole.Region, new() { Name = "Conflicts", Exact = true });
        await Expect(conflicts.GetByRole(AriaRole.Listitem).Filter(new() { HasText = overlap })).ToContainTextAsync("Overlap");
        await Expect(conflicts.GetByRole(AriaRole.Listitem).Filter(new() { HasText = inside })).ToContainTextAsync("In a freeze");

        var freezes = Page.GetByRole(AriaRole.Region, new() { Name = "Freeze windows", Exact = true });
        var row = FreezeRow(Page, freezeName);
        await Expect(row).ToContainTextAsync(frozen);
        await Expect(row).ToContainTextAsync($"{Minute(day.AddHours(8))} – {Minute(day.AddHours(18))}");
        await Expect(row).ToContainTextAsync("Coming");
        await Expect(freezes).ToBeVisibleAsync();
        Screenshots.Publish(await Screenshots.SaveAsync(Page, "calendar"), "calendar.png");

        // The service filter: only what concerns the service chosen.
        await Page.GetByLabel("Service", new() { Exact = true }).SelectOptionAsync(shared);
        await Button(Page, "Filter").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex($"service={shared}"));
        await Expect(MonthCell(Page, day).GetByRole(AriaRole.Link, new() { Name = first.Number, Exact = true })).ToBeVisibleAsync();
        await Expect(MonthCell(Page, day).GetByRole(AriaRole.Link, new() { Name = inFreeze.Number, Exact = true })).ToHaveCountAsync(0);
        await Expect(Page.GetByText($"Freeze: {freezeName}")).ToHaveCountAsync(0);
        await Expect(conflicts.GetByText(overlap)).ToBeVisibleAsync();
        await Expect(conflicts.GetByText(inside)).ToHaveCountAsync(0);

        // The week holding the day, Monday first: the day lists it all with its times; the day before lists none of it.
        await Page.GotoAsync($"/calendar?date={DateText(day)}");
        await Page.GetByRole(AriaRole.Navigation, new() { Name = "Calendar period" }).GetByRole(AriaRole.Link, new() { Name = "Week", Exact = true }).ClickAsync();
        var monday = day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = $"Week of {monday.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}", Level = 2 }))
            .ToBeVisibleAsync();
        await Expect(Page.Locator("ol.week > li")).ToHaveCountAsync(7);
        var weekDay = WeekDay(Page, day);
        await Expect(weekDay.GetByRole(AriaRole.Heading, new() { Level = 3 })).ToContainTextAsync(day.ToString("dddd d MMMM", CultureInfo.InvariantCulture));
        var firstItem = ChangeItem(weekDay, first.Number);
        await Expect(firstItem.GetByRole(AriaRole.Link, new() { Name = first.Number, Exact = true })).ToHaveAttributeAsync("href", $"/changes/{first.Number}");
        await Expect(firstItem).ToContainTextAsync($"{Minute(day.AddHours(10))} – {Minute(day.AddHours(12))} UTC");
        await Expect(weekDay.GetByRole(AriaRole.Link, new() { Name = inFreeze.Number, Exact = true })).ToBeVisibleAsync();
        var band = weekDay.Locator(".freeze-band").Filter(new() { HasText = freezeName });
        await Expect(band).ToContainTextAsync($"Freeze: {freezeName}");
        await Expect(band).ToContainTextAsync($"{Minute(day.AddHours(8))} – {Minute(day.AddHours(18))} UTC, {frozen}");
        if (day != monday)
        {
            var before = WeekDay(Page, day.AddDays(-1));
            await Expect(before.GetByRole(AriaRole.Link, new() { Name = first.Number, Exact = true })).ToHaveCountAsync(0);
            await Expect(before.Locator(".freeze-band").Filter(new() { HasText = freezeName })).ToHaveCountAsync(0);
        }
        await Expect(conflicts.GetByText(overlap)).ToBeVisibleAsync();
        await Expect(conflicts.GetByText(inside)).ToBeVisibleAsync();

        // Next and previous move by a week here.
        await Page.GetByRole(AriaRole.Link, new() { Name = "Next week", Exact = true }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = $"Week of {monday.AddDays(7).ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}", Level = 2 }))
            .ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = first.Number, Exact = true })).ToHaveCountAsync(0);
        await Page.GetByRole(AriaRole.Link, new() { Name = "Previous week", Exact = true }).ClickAsync();
        await Expect(WeekDay(Page, day).GetByRole(AriaRole.Link, new() { Name = first.Number, Exact = true })).ToBeVisibleAsync();
        await Screenshots.SaveAsync(Page, "calendar-week");
    }

    [Fact]
    public async Task An_admin_defines_a_freeze_through_the_form_is_refused_an_end_before_its_start_and_lifts_it()
    {
        var admin = await AccountAsync(Role.Admin);
        var service = await new Scenario(App).ServiceAsync();
        var day = Day;
        var name = $"Release freeze {Scenario.Unique()}";

        await SignInAsync(Page, admin);
        await Page.GotoAsync($"/calendar?date={DateText(day)}");
        var form = Page.GetByRole(AriaRole.Form, new() { Name = "Define a freeze" });
        await Field(Page, "Name").FillAsync(name);
        await Field(Page, "Start (UTC)").FillAsync(LocalInput(day.AddHours(6)));
        await Field(Page, "End (UTC)").FillAsync(LocalInput(day.AddHours(20)));
        await form.GetByLabel(service, new() { Exact = true }).CheckAsync();
        await Button(Page, "Define freeze").ClickAsync();

        await Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync($"The freeze '{name}' was defined: {Minute(day.AddHours(6))} to {Minute(day.AddHours(20))} UTC.");
        var row = FreezeRow(Page, name);
        await Expect(row).ToContainTextAsync(service);
        await Expect(row).ToContainTextAsync(admin.Name);
        await Expect(MonthCell(Page, day).Locator(".freeze-band").Filter(new() { HasText = $"Freeze: {name}" })).ToBeVisibleAsync();
        var defined = (await App.AsAdmin().GetJsonAsync<List<FreezeWindowResponse>>("/api/v1/freeze-windows")).Single(f => f.Name == name);
        defined.Services.Select(s => s.Name).ShouldBe([service]);
        (defined.Start, defined.End).ShouldBe((day.AddHours(6), day.AddHours(20)));
        await Screenshots.SaveAsync(Page, "calendar-admin");

        // An end before the start: refused next to the field, what was typed kept, nothing created.
        var backwards = $"Backwards freeze {Scenario.Unique()}";
        await Field(Page, "Name").FillAsync(backwards);
        await Field(Page, "Start (UTC)").FillAsync(LocalInput(day.AddHours(12)));
        await Field(Page, "End (UTC)").FillAsync(LocalInput(day.AddHours(10)));
        await Button(Page, "Define freeze").ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Not done:");
        await Expect(Page.Locator("[data-valmsg-for='Form.End']")).ToHaveTextAsync("The end must come after the start.");
        await Expect(Field(Page, "End (UTC)")).ToHaveClassAsync(new Regex("input-validation-error"));
        await Expect(Field(Page, "Name")).ToHaveValueAsync(backwards);
        await Expect(FreezeRow(Page, backwards)).ToHaveCountAsync(0);
        (await App.AsAdmin().GetJsonAsync<List<FreezeWindowResponse>>("/api/v1/freeze-windows")).ShouldNotContain(f => f.Name == backwards);

        // Lifting it: from now on it covers nothing, so its band and its row leave the period; the record stays, lifted.
        await FreezeRow(Page, name).GetByRole(AriaRole.Button, new() { Name = $"Lift the freeze '{name}'", Exact = true }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync($"The freeze '{name}' was lifted");
        await Expect(Page).ToHaveURLAsync(new Regex($@"/calendar\?date={DateText(day)}$"));
        await Expect(FreezeRow(Page, name)).ToHaveCountAsync(0);
        await Expect(Page.GetByText($"Freeze: {name}")).ToHaveCountAsync(0);
        var lifted = await App.AsAdmin().GetJsonAsync<FreezeWindowResponse>($"/api/v1/freeze-windows/{defined.Id}");
        lifted.LiftedAt.ShouldNotBeNull();
        lifted.LiftedBy!.Id.ShouldBe(admin.Id);
    }

    [Fact]
    public async Task Someone_who_is_not_an_admin_sees_the_freezes_but_no_form_and_no_lift_button()
    {
        var approver = await AccountAsync(Role.ChangeApprover, Role.Requestor);
        var service = await new Scenario(App).ServiceAsync();
        var day = Day;
        var name = $"Audit freeze {Scenario.Unique()}";
        await App.AsAdmin().PostJsonAsync<FreezeWindowResponse>("/api/v1/freeze-windows",
            new CreateFreezeWindowRequest(name, day.AddHours(9), day.AddHours(17), [service], null));

        await SignInAsync(Page, approver);
        await Page.GotoAsync($"/calendar?date={DateText(day)}");

        await Expect(FreezeRow(Page, name)).ToContainTextAsync(service);
        await Expect(MonthCell(Page, day).Locator(".freeze-band").Filter(new() { HasText = $"Freeze: {name}" })).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Lift" })).ToHaveCountAsync(0);
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Define a freeze" })).ToHaveCountAsync(0);
        await Expect(Button(Page, "Define freeze")).ToHaveCountAsync(0);
        await Expect(Page.GetByLabel("Start (UTC)")).ToHaveCountAsync(0);
        await Expect(Page.Locator("form[method='post'][action*='handler=']")).ToHaveCountAsync(0);
    }
}
