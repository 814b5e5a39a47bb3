"""The profile page's component ids."""

PAGE = "profile-page"
USER = "profile-user"
TOKEN_NAME = "profile-token-name"
TOKEN_DAYS = "profile-token-days"
CREATE = "profile-token-create"
FEEDBACK = "profile-token-feedback"
TOKENS = "profile-tokens"
TABLE = "profile-token-table"
NO_TOKEN = "profile-no-token"
TOKEN_VALUE = "profile-token-value"
REVOKE = "profile-token-revoke"  # the type of each token's revoke button (pattern-matching)


def revoke(token_id) -> dict:
    return {"type": REVOKE, "index": token_id}


def token_state(token_id) -> str:
    return f"profile-token-state-{token_id}"
