"""Texts of saved views (the navbar's "Save view" dialog and the ``/views`` page) and of the home page's PDF."""

MESSAGES = {
    "nav.views": ("My views", "Mes vues"),
    "views.title": ("My saved views", "Mes vues enregistrées"),
    "views.help": ("A view is a page with its filters and period, saved with the “Save view” button of the menu "
                   "bar. Your home view is where you land after logging in and on the address of the site.",
                   "Une vue est une page avec ses filtres et sa période, enregistrée avec le bouton « Enregistrer "
                   "la vue » de la barre de menu. Votre vue d'accueil s'ouvre à la connexion et à l'adresse du site."),
    "views.save_button": ("Save view", "Enregistrer la vue"),
    "views.save_title": ("Save this view", "Enregistrer cette vue"),
    "views.save_help": ("The page, its filters and its period are saved under this name (the same name replaces "
                        "the view).",
                        "La page, ses filtres et sa période sont enregistrés sous ce nom (le même nom remplace la "
                        "vue)."),
    "views.name": ("Name", "Nom"),
    "views.name_hint": ("e.g. My Monday view", "ex. Ma vue du lundi"),
    "views.as_home": ("Open it when I log in (my home view)", "L'ouvrir à ma connexion (ma vue d'accueil)"),
    "views.save": ("Save", "Enregistrer"),
    "views.page": ("Page", "Page"),
    "views.home": ("Home", "Accueil"),
    "views.is_home": ("home view", "vue d'accueil"),
    "views.none": ("No saved view yet.", "Aucune vue enregistrée."),
    "views.pick": ("Choose a view", "Choisissez une vue"),
    "views.set_home": ("Make it my home", "En faire mon accueil"),
    "views.clear_home": ("No home view", "Pas de vue d'accueil"),
    "views.delete": ("Delete", "Supprimer"),
    "views.done_saved": ("“{name}” was saved.", "« {name} » a été enregistrée."),
    "views.done_replaced": ("“{name}” was replaced.", "« {name} » a été remplacée."),
    "views.saved_home": ("“{name}” was saved as your home view.",
                         "« {name} » a été enregistrée comme vue d'accueil."),
    "views.home_set": ("“{name}” is now your home view.", "« {name} » est maintenant votre vue d'accueil."),
    "views.home_cleared": ("You have no home view: you land on the overview.",
                           "Vous n'avez plus de vue d'accueil : vous arrivez sur la vue d'ensemble."),
    "views.deleted": ("“{name}” was deleted.", "« {name} » a été supprimée."),
    "views.error.name": ("Give the view a name (up to 120 characters).",
                         "Donnez un nom à la vue (120 caractères au plus)."),
    "views.error.page": ("This page cannot be saved as a view.", "Cette page ne peut pas être enregistrée comme vue."),
    "views.error.too_many": ("You have too many saved views: delete some first.",
                             "Vous avez trop de vues enregistrées : supprimez-en d'abord."),
    "views.error.not_found": ("This view does not exist or is not yours.",
                              "Cette vue n'existe pas ou n'est pas la vôtre."),
    "views.error.pick": ("Choose a view first.", "Choisissez d'abord une vue."),
    "pdf.button": ("PDF", "PDF"),
    "pdf.filename": ("overview", "vue-d-ensemble"),
    "pdf.trends": ("Last 13 months", "13 derniers mois"),
    "pdf.unavailable": ("The PDF could not be made on the server (its browser is missing or failed): try again "
                        "later or ask the data team.",
                        "Le PDF n'a pas pu être produit sur le serveur (son navigateur manque ou a échoué) : "
                        "réessayez plus tard ou prévenez l'équipe data."),
}
