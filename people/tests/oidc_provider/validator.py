from oauth2_provider.oauth2_validators import OAuth2Validator

from people.tests.oidc_provider.directory import ACCOUNTS


class EntraLikeValidator(OAuth2Validator):
    """The claims Entra puts in an ID token: e-mail and names (with the `email` and `profile` scopes), and the
    app roles assigned to the person (`roles`), which the portal must never act on."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "roles": "openid"}

    def get_additional_claims(self, request):
        user = request.user
        claims = {
            "name": f"{user.first_name} {user.last_name}",
            "given_name": user.first_name,
            "family_name": user.last_name,
            "preferred_username": user.username,
            "roles": list(ACCOUNTS[user.username].app_roles),
        }
        if user.email:
            claims["email"] = user.email
        return claims
