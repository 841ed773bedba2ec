namespace ChangeTrail.Server.Features.Calendar;

/// <summary>The change calendar's API: the calendar itself and the freeze windows.</summary>
public static class CalendarEndpoints
{
    public static void MapCalendar(this RouteGroupBuilder api)
    {
        var freezes = api.MapGroup("/freeze-windows").WithTags("Calendar");
        CreateFreezeWindow.Map(freezes);
        ListFreezeWindows.Map(freezes);
        LiftFreezeWindow.Map(freezes);
        GetCalendar.Map(api);
        CalendarFeed.Map(api);
    }
}
