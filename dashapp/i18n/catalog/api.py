"""Texts of the read API's refusals and of the profile page (personal access tokens)."""

MESSAGES = {
    "api.error.missing": ("Authentication required: send a personal access token in an “Authorization: Bearer …” "
                          "header (create one on your profile page). Session cookies do not open the API.",
                          "Authentification requise : envoyez un jeton d'accès personnel dans un en-tête "
                          "« Authorization: Bearer … » (créez-en un sur votre page de profil). Les cookies de "
                          "session n'ouvrent pas l'API."),
    "api.error.malformed": ("This is not a Pilotage access token (plt_…).",
                            "Ce n'est pas un jeton d'accès Pilotage (plt_…)."),
    "api.error.unknown": ("This access token is not valid.", "Ce jeton d'accès n'est pas valide."),
    "api.error.revoked": ("This access token has been revoked.", "Ce jeton d'accès a été révoqué."),
    "api.error.expired": ("This access token has expired: create a new one on your profile page.",
                          "Ce jeton d'accès a expiré : créez-en un nouveau sur votre page de profil."),
    "api.error.inactive": ("This account is disabled.", "Ce compte est désactivé."),
    "api.error.rate_limited": ("Too many requests with this token: try again in {seconds} s.",
                               "Trop de requêtes avec ce jeton : réessayez dans {seconds} s."),
    "api.error.method": ("The API only reads: use GET.", "L'API est en lecture seule : utilisez GET."),
    "api.error.not_found": ("There is no such API route.", "Cette route de l'API n'existe pas."),
    "api.error.region_scope": ("Outside your access: {codes}. The API answers for the regions of your scope only.",
                               "Hors de votre périmètre : {codes}. L'API ne répond que pour les régions de votre "
                               "périmètre."),
    "api.error.unknown_value": ("Unknown {parameter}: {values}.", "{parameter} inconnu(s) : {values}."),
    "api.error.parameter": ("Invalid value for {parameter}: “{value}”.",
                            "Valeur invalide pour {parameter} : « {value} »."),
    "api.error.missing_parameter": ("The parameter {parameter} is required.",
                                    "Le paramètre {parameter} est obligatoire."),
    "api.error.unknown_parameter": ("Unknown parameter(s): {names}.", "Paramètre(s) inconnu(s) : {names}."),
    "api.error.period": ("Give a named period, or start and end (both, as ISO dates) with period=custom or no period.",
                         "Donnez une période nommée, ou start et end (les deux, en dates ISO) avec period=custom ou "
                         "sans période."),
    "audit.event.token": ("API token", "jeton d'API"),
    "audit.event.api": ("API call", "appel d'API"),
    "nav.profile": ("Profile", "Profil"),
    "profile.title": ("Profile", "Profil"),
    "profile.user": ("{name} · {email} · {role}", "{name} · {email} · {role}"),
    "profile.tokens.title": ("Personal access tokens", "Jetons d'accès personnels"),
    "profile.tokens.intro": (
        "A token lets another tool read the API (/api/v1/) as you: with your role and your regions, never more, "
        "read again on each request. It is shown once, when you create it; the server keeps only a hash of it. "
        "Revoke a token you no longer use.",
        "Un jeton permet à un autre outil de lire l'API (/api/v1/) en votre nom : avec votre rôle et vos régions, "
        "jamais plus, relus à chaque requête. Il n'est affiché qu'une fois, à sa création ; le serveur n'en garde "
        "qu'une empreinte. Révoquez un jeton dont vous ne vous servez plus."),
    "profile.tokens.name": ("Name (what it is for)", "Nom (à quoi il sert)"),
    "profile.tokens.expiry": ("Expires after", "Expire après"),
    "profile.tokens.days": ("{days} days", "{days} jours"),
    "profile.tokens.create": ("Create a token", "Créer un jeton"),
    "profile.tokens.created": ("Token “{name}” created. Copy it now: it will not be shown again.",
                               "Jeton « {name} » créé. Copiez-le maintenant : il ne sera plus affiché."),
    "profile.tokens.revoked": ("Token “{name}” revoked: it no longer opens the API.",
                               "Jeton « {name} » révoqué : il n'ouvre plus l'API."),
    "profile.tokens.none": ("You have no token.", "Vous n'avez aucun jeton."),
    "profile.tokens.revoke": ("Revoke", "Révoquer"),
    "profile.tokens.column.name": ("Name", "Nom"),
    "profile.tokens.column.prefix": ("Token starts with", "Début du jeton"),
    "profile.tokens.column.created": ("Created", "Créé le"),
    "profile.tokens.column.expires": ("Expires", "Expire le"),
    "profile.tokens.column.used": ("Last used", "Dernière utilisation"),
    "profile.tokens.column.state": ("State", "État"),
    "profile.tokens.state.active": ("active", "actif"),
    "profile.tokens.state.revoked": ("revoked", "révoqué"),
    "profile.tokens.state.expired": ("expired", "expiré"),
    "profile.tokens.never": ("never", "jamais"),
    "profile.tokens.docs": ("The API's description: /api/v1/openapi.json", "La description de l'API : "
                            "/api/v1/openapi.json"),
    "profile.error.name": ("Give the token a name (at most 120 characters).",
                           "Donnez un nom au jeton (120 caractères au plus)."),
    "profile.error.expiry": ("Choose how long the token lasts.", "Choisissez la durée du jeton."),
    "profile.error.too_many": ("You have {limit} active tokens: revoke one before creating another.",
                               "Vous avez {limit} jetons actifs : révoquez-en un avant d'en créer un autre."),
    "profile.error.not_found": ("This token does not exist, is not yours or is already revoked.",
                                "Ce jeton n'existe pas, n'est pas à vous ou est déjà révoqué."),
}
