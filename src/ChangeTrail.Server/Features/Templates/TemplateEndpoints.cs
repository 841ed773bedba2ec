namespace ChangeTrail.Server.Features.Templates;

/// <summary>The Standard change catalog's API (policy 3.1).</summary>
public static class TemplateEndpoints
{
    public static void MapTemplates(this RouteGroupBuilder api)
    {
        var templates = api.MapGroup("/templates").WithTags("Standard changes");
        CreateTemplate.Map(templates);
        ReviseTemplate.Map(templates);
        HandOverTemplate.Map(templates);
        ListTemplates.Map(templates);
        TemplateSteps.Map(templates);
    }
}
