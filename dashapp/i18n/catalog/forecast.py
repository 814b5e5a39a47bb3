"""Texts of the forecast panel (``/forecast``): forecast chart, accuracy card, drivers, media plan,
the interval badge and the admin's run registry."""

MESSAGES = {
    "forecast.title": ("Qualified-lead forecast", "Prévision des leads qualifiés"),
    "forecast.view": ("View", "Vue"),
    "forecast.view.total": ("Total", "Total"),
    "forecast.view.channel": ("By channel", "Par canal"),
    "forecast.view.region": ("By region", "Par région"),
    "forecast.no_run": ("No forecast has been trained yet: run `pilotage forecast train`.",
                        "Aucune prévision n'a encore été entraînée : lancez `pilotage forecast train`."),
    "forecast.no_series": ("The forecast holds no series for your scope.",
                           "La prévision ne contient aucune série pour votre périmètre."),
    "forecast.run_info": ("Champion run {run}, data up to {cutoff}, trained on {created} by {by}. "
                          "Next {horizon} months, given the media plan below.",
                          "Modèle champion n° {run}, données jusqu'à {cutoff}, entraîné le {created} par {by}. "
                          "{horizon} prochains mois, compte tenu du plan média ci-dessous."),
    "forecast.scope_sum": ("Your scope covers several regions: this view adds up their series, and a sum of "
                           "forecasts has no interval of its own, so the bands are shown only for lines that are "
                           "one region's series.",
                           "Votre périmètre couvre plusieurs régions : cette vue additionne leurs séries, et une "
                           "somme de prévisions n'a pas d'intervalle propre ; les bandes ne sont donc montrées que "
                           "pour les lignes qui sont la série d'une seule région."),
    "forecast.plan_changed": ("The media plan of {months} changed after this forecast was trained: the forecast "
                              "still assumes the plan it was trained with, until the next training "
                              "(`pilotage forecast train`).",
                              "Le plan média de {months} a changé depuis l'entraînement de cette prévision : elle "
                              "suppose encore le plan de son entraînement, jusqu'au prochain (`pilotage forecast "
                              "train`)."),
    "forecast.chart.title": ("Monthly qualified leads", "Leads qualifiés par mois"),
    "forecast.actual": ("Actual", "Réalisé"),
    "forecast.forecast": ("Forecast", "Prévision"),
    "forecast.band80": ("80% interval", "Intervalle à 80 %"),
    "forecast.band95": ("95% interval", "Intervalle à 95 %"),
    "forecast.target": ("Target", "Objectif"),
    "forecast.last_year": ("Last year", "Année précédente"),
    "forecast.table.title": ("Forecast by month", "Prévision par mois"),
    "forecast.table.line": ("Line", "Ligne"),
    "forecast.table.interval": ("{lo} – {hi}", "{lo} – {hi}"),
    "forecast.total": ("Total", "Total"),
    "forecast.accuracy.title": ("Accuracy (backtest)", "Précision (backtest)"),
    "forecast.accuracy.help": ("The forecast shown, replayed on past months from rolling origins, by horizon "
                               "(1 to 6 months ahead). MASE is its error relative to the seasonal naive "
                               "forecast's in-sample error: below the seasonal naive's own MASE, it does better "
                               "than repeating last year. \"Inside\" is the share of past months that fell "
                               "inside the 80% and 95% intervals.",
                               "La prévision affichée, rejouée sur les mois passés depuis des origines "
                               "glissantes, par horizon (1 à 6 mois). Le MASE est son erreur rapportée à celle "
                               "de la prévision naïve saisonnière : sous le MASE du naïf saisonnier, elle fait "
                               "mieux que de reprendre l'an dernier. « Dans l'intervalle » est la part des mois "
                               "passés tombés dans les intervalles à 80 % et 95 %."),
    "forecast.accuracy.horizon": ("Horizon", "Horizon"),
    "forecast.accuracy.h": ("{h} mo. ahead", "à {h} mois"),
    "forecast.accuracy.cells": ("Past months", "Mois testés"),
    "forecast.accuracy.lines": ("Each line (all horizons)", "Chaque ligne (tous horizons)"),
    "forecast.accuracy.record_several": ("Your total adds up several regions: each region's forecast over all "
                                         "horizons.",
                                         "Votre total additionne plusieurs régions : la prévision de chaque région, "
                                         "tous horizons confondus."),
    "forecast.accuracy.own": ("The series' own backtest (the hierarchy could not be reconciled on it).",
                              "Backtest propre à la série (la hiérarchie n'a pas pu y être réconciliée)."),
    "forecast.accuracy.method": ("Method", "Méthode"),
    "forecast.accuracy.mase": ("MASE", "MASE"),
    "forecast.accuracy.smape": ("sMAPE", "sMAPE"),
    "forecast.accuracy.naive": ("Seasonal naive MASE", "MASE naïf saisonnier"),
    "forecast.accuracy.cov80": ("Inside 80% interval", "Dans l'intervalle à 80 %"),
    "forecast.accuracy.cov95": ("Inside 95% interval", "Dans l'intervalle à 95 %"),
    "forecast.accuracy.months": ("Months", "Mois"),
    "forecast.accuracy.cutoff": ("Data cut-off: {cutoff}", "Données jusqu'à : {cutoff}"),
    "forecast.accuracy.short": ("Fewer than 24 months of data: limited candidates ({lines}).",
                                "Moins de 24 mois de données : candidats limités ({lines})."),
    "forecast.accuracy.none": ("No accuracy figures for this view.", "Pas de mesure de précision pour cette vue."),
    "forecast.method.seasonal_naive": ("Seasonal naive", "Naïf saisonnier"),
    "forecast.method.ets": ("Exponential smoothing (ETS)", "Lissage exponentiel (ETS)"),
    "forecast.method.theta": ("Theta", "Theta"),
    "forecast.method.sarimax": ("SARIMAX with regressors", "SARIMAX avec régresseurs"),
    "forecast.method.regression": ("Regularised regression", "Régression régularisée"),
    "forecast.method.combination": ("Combination of the best", "Combinaison des meilleurs"),
    "forecast.drivers.title": ("What drives the forecast", "Ce qui explique la prévision"),
    "forecast.drivers.help": ("Trend, seasonality, each media channel (with its carry-over and saturation, from "
                              "the media response model), external factors, web sessions and the rest add up to "
                              "the forecast of each month, the same in every view.",
                              "Tendance, saisonnalité, chaque canal média (avec sa rémanence et sa saturation, "
                              "selon le modèle de réponse média), facteurs externes, sessions web et le reste "
                              "s'additionnent pour donner la prévision de chaque mois, la même dans toutes les "
                              "vues."),
    "forecast.driver.trend": ("Trend", "Tendance"),
    "forecast.driver.season": ("Season", "Saisonnalité"),
    "forecast.driver.media": ("Media (all channels)", "Média (tous canaux)"),
    "forecast.driver.channel": ("Media · {channel}", "Média · {channel}"),
    "forecast.driver.control": ("External · {name}", "Externe · {name}"),
    "forecast.driver.control.covid_stringency": ("Covid restrictions", "Restrictions Covid"),
    "forecast.driver.control.working_days": ("Working days", "Jours ouvrés"),
    "forecast.driver.sessions": ("Web sessions", "Sessions web"),
    "forecast.driver.other": ("Other", "Autres"),
    "forecast.scope.national": ("Company", "Entreprise"),
    "forecast.override.title": ("Planners' overrides", "Corrections des planificateurs"),
    "forecast.override.help": ("A planner's own figure for a month, with its reason, shown next to the model's "
                               "(which is kept).",
                               "Le chiffre d'un planificateur pour un mois, avec sa raison, affiché à côté de "
                               "celui du modèle (qui est conservé)."),
    "forecast.override.form": ("Override the forecast", "Corriger la prévision"),
    "forecast.override.scope": ("Scope", "Périmètre"),
    "forecast.override.month": ("Month", "Mois"),
    "forecast.override.value": ("Qualified leads", "Leads qualifiés"),
    "forecast.override.reason": ("Reason", "Raison"),
    "forecast.override.save": ("Save override", "Enregistrer la correction"),
    "forecast.override.remove": ("Remove override", "Retirer la correction"),
    "forecast.override.row": ("Planner's figure", "Chiffre du planificateur"),
    "forecast.override.legend": ("Planner's figure", "Chiffre du planificateur"),
    "forecast.override.hover": ("Planner: {value} ({reason})", "Planificateur : {value} ({reason})"),
    "forecast.override.model": ("Model", "Modèle"),
    "forecast.override.by": ("By", "Par"),
    "forecast.override.when": ("{by}, {at}", "{by}, {at}"),
    "forecast.override.none": ("No override: the figures are the model's.",
                               "Aucune correction : les chiffres sont ceux du modèle."),
    "forecast.override.history": ("Latest changes", "Dernières modifications"),
    "forecast.override.change": ("{scope} · {month}: {value} instead of the model's {model}, by {by} on {at} "
                                 "({reason})",
                                 "{scope} · {month} : {value} au lieu de {model} pour le modèle, par {by} le {at} "
                                 "({reason})"),
    "forecast.override.removal": ("{scope} · {month}: override removed by {by} on {at} ({reason})",
                                  "{scope} · {month} : correction retirée par {by} le {at} ({reason})"),
    "forecast.override.saved": ("Saved: {value} for {month} (the model says {model}).",
                                "Enregistré : {value} pour {month} (le modèle indique {model})."),
    "forecast.override.removed": ("Override of {month} removed.", "Correction de {month} retirée."),
    "forecast.override.error.scope": ("Pick a scope you may override.", "Choisissez un périmètre que vous pouvez "
                                                                        "corriger."),
    "forecast.override.error.no_run": ("No forecast to override yet.", "Aucune prévision à corriger pour l'instant."),
    "forecast.override.error.no_series": ("The forecast holds no series for this scope.",
                                          "La prévision ne contient pas de série pour ce périmètre."),
    "forecast.override.error.month": ("Pick one of the forecast's months.", "Choisissez un des mois de la prévision."),
    "forecast.override.error.value": ("Type a number of qualified leads (0 or more).",
                                      "Saisissez un nombre de leads qualifiés (0 ou plus)."),
    "forecast.override.error.reason": ("Say why: a reason is required.", "Indiquez pourquoi : la raison est "
                                                                         "obligatoire."),
    "forecast.override.error.reason_long": ("The reason is too long (500 characters at most).",
                                            "La raison est trop longue (500 caractères au plus)."),
    "forecast.override.error.none": ("There is no override of this month to remove.",
                                     "Ce mois n'a pas de correction à retirer."),
    "forecast.export.sheet": ("Forecast", "Prévision"),
    "forecast.export.run": ("run", "modele"),
    "forecast.export.line": ("line", "ligne"),
    "forecast.export.month": ("month", "mois"),
    "forecast.export.forecast": ("forecast", "prevision"),
    "forecast.export.lo80": ("low 80%", "bas 80 %"),
    "forecast.export.hi80": ("high 80%", "haut 80 %"),
    "forecast.export.lo95": ("low 95%", "bas 95 %"),
    "forecast.export.hi95": ("high 95%", "haut 95 %"),
    "forecast.export.override": ("planner's figure", "chiffre du planificateur"),
    "forecast.export.reason": ("reason", "raison"),
    "forecast.export.by": ("by", "par"),
    "forecast.export.at": ("at", "le"),
    "forecast.export.driver": ("driver: {name}", "facteur : {name}"),
    "forecast.media.title": ("Media plan assumed (planned spend)", "Plan média retenu (dépenses prévues)"),
    "forecast.media.channel": ("Channel", "Canal"),
    "forecast.media.total": ("Total", "Total"),
    "forecast.media.none": ("No media plan for these months in your scope.",
                            "Aucun plan média pour ces mois dans votre périmètre."),
    "forecast.media.scoped": ("Plans made for the whole country are not split by region and are not shown.",
                              "Les plans nationaux ne sont pas répartis par région et ne sont pas affichés."),
    "forecast.badge.outside": ("{month}: {actual} qualified leads, outside the 95% interval {lo} – {hi} of run {run}",
                               "{month} : {actual} leads qualifiés, hors de l'intervalle à 95 % {lo} – {hi} du "
                               "modèle n° {run}"),
    "forecast.badge.inside": ("{month}: {actual} qualified leads, inside the 95% interval {lo} – {hi} of run {run}",
                              "{month} : {actual} leads qualifiés, dans l'intervalle à 95 % {lo} – {hi} du "
                              "modèle n° {run}"),
    "forecast.badge.none": ("{month}: no earlier forecast with an interval covers this month for your scope.",
                            "{month} : aucune prévision antérieure avec intervalle ne couvre ce mois pour votre "
                            "périmètre."),
    "forecast.admin.title": ("Model registry (admin)", "Registre des modèles (admin)"),
    "forecast.admin.refresh": ("Refresh", "Actualiser"),
    "forecast.admin.id": ("Run", "Modèle"),
    "forecast.admin.created": ("Created", "Créé le"),
    "forecast.admin.cutoff": ("Cut-off", "Données jusqu'à"),
    "forecast.admin.by": ("By", "Par"),
    "forecast.admin.status": ("Status", "Statut"),
    "forecast.admin.champion": ("Champion", "Champion"),
    "forecast.admin.decision": ("Decision", "Décision"),
    "forecast.admin.yes": ("yes", "oui"),
    "forecast.admin.no_runs": ("No run registered.", "Aucun modèle enregistré."),
    "forecast.admin.compare": ("Compare two runs", "Comparer deux modèles"),
    "forecast.admin.first": ("First run", "Premier modèle"),
    "forecast.admin.second": ("Second run", "Second modèle"),
    "forecast.admin.pick": ("Pick two runs to compare.", "Choisissez deux modèles à comparer."),
    "forecast.admin.run_label": ("Run {run} ({cutoff})", "Modèle n° {run} ({cutoff})"),
    "forecast.admin.action_run": ("Run to promote or roll back to", "Modèle à promouvoir ou à rétablir"),
    "forecast.admin.promote": ("Promote", "Promouvoir"),
    "forecast.admin.rollback": ("Roll back", "Revenir en arrière"),
    "forecast.admin.pick_one": ("Pick a run first.", "Choisissez d'abord un modèle."),
    "forecast.admin.done": ("Done: {message}.", "Fait : {message}."),
    "forecast.admin.error": ("Not done: {message}.", "Non fait : {message}."),
}
