"""The test provider's directory: its accounts and the applications registered with it.

Both the provider process (which creates them) and the tests (which sign in as them) read this module.
The e-mail addresses deliberately differ in letter case from the staff records the tests make, as a
directory's and a spreadsheet's often do.
"""

from dataclasses import dataclass

PASSWORD = "council-directory-password"

# The QA Portal as registered with the provider (in Entra: the app registration's client id and secret).
PORTAL_CLIENT_ID = "qa-portal"
PORTAL_CLIENT_SECRET = "qa-portal-client-secret-for-tests-only"
# Another application of the same council, whose ID tokens must not open the portal.
OTHER_CLIENT_ID = "council-intranet"
OTHER_CLIENT_SECRET = "intranet-client-secret-for-tests-only"
OTHER_REDIRECT_URI = "http://127.0.0.1/intranet/callback/"

# Where the provider may send people back to: the Django test client's host, and the live server's host on any
# port (a loopback address; the provider treats `localhost` as one too, as RFC 8252 allows).
PORTAL_REDIRECT_URIS = [
    "http://testserver/accounts/oidc/callback/",
    "http://localhost/accounts/oidc/callback/",
    "http://127.0.0.1/accounts/oidc/callback/",
]
PORTAL_POST_LOGOUT_REDIRECT_URIS = [
    "http://testserver/accounts/login/",
    "http://localhost/accounts/login/",
    "http://127.0.0.1/accounts/login/",
]


@dataclass(frozen=True)
class DirectoryAccount:
    username: str
    email: str
    given_name: str
    family_name: str
    # Entra sends the app roles assigned to a person in a `roles` claim; the portal must ignore them.
    app_roles: tuple[str, ...] = ("QAPortal.Administrator",)


ACCOUNTS = {
    account.username: account
    for account in (
        DirectoryAccount("quinn", "Quinn.Quality@Council.example", "Quinny", "From-The-Directory"),
        DirectoryAccount("aidan", "Aidan.Auditor@Council.example", "Aidan", "Directory-Name"),
        DirectoryAccount("mo", "Mo.Moderator@Council.example", "Mo", "Directory-Name"),
        DirectoryAccount("mani", "Mani.Manager@Council.example", "Mani", "Directory-Name"),
        DirectoryAccount("nell", "Nell.Norole@Council.example", "Nell", "Directory-Name"),
        DirectoryAccount("root", "Ruth.Root@Council.example", "Ruth", "Directory-Name"),
        DirectoryAccount("stranger", "Sam.Stranger@Council.example", "Sam", "Stranger"),
        DirectoryAccount("leaver", "Lee.Leaver@Council.example", "Lee", "Leaver"),
        DirectoryAccount("twin", "Shared.Mailbox@Council.example", "Terry", "Twin"),
        # An account with no mailbox: the provider sends no `email` claim for it.
        DirectoryAccount("nomail", "", "Nomi", "Nomail"),
    )
}
