using ChangeTrail.Server.Features.Tokens;

namespace ChangeTrail.Server.Features.Users;

public static class UserEndpoints
{
    public static void MapUsers(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("Identities");
        CreateUser.Map(users);
        ListUsers.Map(users);
        DeactivateUser.Map(users);
        ChangeRoles.Map(users);
        CreateToken.MapForUsers(users);
        ReissueInvitation.Map(users);
        NotificationPreferences.Map(users);
    }
}
