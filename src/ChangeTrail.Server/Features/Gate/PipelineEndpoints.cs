using ChangeTrail.Server.Features.Deployments;
using ChangeTrail.Server.Features.Evidence;

namespace ChangeTrail.Server.Features.Gate;

public static class PipelineEndpoints
{
    /// <summary>What a pipeline calls (policy 3.4, 3.5, 3.7): evidence, the gate, deployments.</summary>
    public static void MapPipeline(this RouteGroupBuilder api)
    {
        UploadEvidence.Map(api);
        GetEvidence.Map(api);
        AskGate.Map(api);
        RecordDeployment.Map(api);
        ListDeployments.Map(api);
    }
}
