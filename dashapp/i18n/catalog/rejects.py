"""Why the ETL rejected a row (``etl_reject.code`` and its ``params``), as the admin page's rejects grid
shows it: what the cell should have held. The ETL keeps the same reason in English for the command line."""

MESSAGES = {
    "reject.empty": ("a value (the cell is empty)", "une valeur (la cellule est vide)"),
    "reject.value": ("a value", "une valeur"),
    "reject.date": ("a date (YYYY-MM-DD, DD/MM/YYYY, MM/DD/YYYY or an Excel serial number)",
                    "une date (AAAA-MM-JJ, JJ/MM/AAAA, MM/JJ/AAAA ou un numéro de série Excel)"),
    "reject.date_dmy": ("a date (day/month/year as in this column: DD/MM/YYYY, YYYY-MM-DD or an Excel serial number)",
                        "une date (jour/mois/année comme dans cette colonne : JJ/MM/AAAA, AAAA-MM-JJ ou un numéro de "
                        "série Excel)"),
    "reject.date_mdy": ("a date (month/day/year as in this column: MM/DD/YYYY, YYYY-MM-DD or an Excel serial number)",
                        "une date (mois/jour/année comme dans cette colonne : MM/JJ/AAAA, AAAA-MM-JJ ou un numéro de "
                        "série Excel)"),
    "reject.datetime": ("a date and time (YYYY-MM-DD, DD/MM/YYYY, MM/DD/YYYY or an Excel serial number)",
                        "une date et une heure (AAAA-MM-JJ, JJ/MM/AAAA, MM/JJ/AAAA ou un numéro de série Excel)"),
    "reject.datetime_dmy": ("a date and time (day/month/year as in this column: DD/MM/YYYY, YYYY-MM-DD or an Excel "
                            "serial number)",
                            "une date et une heure (jour/mois/année comme dans cette colonne : JJ/MM/AAAA, AAAA-MM-JJ "
                            "ou un numéro de série Excel)"),
    "reject.datetime_mdy": ("a date and time (month/day/year as in this column: MM/DD/YYYY, YYYY-MM-DD or an Excel "
                            "serial number)",
                            "une date et une heure (mois/jour/année comme dans cette colonne : MM/JJ/AAAA, AAAA-MM-JJ "
                            "ou un numéro de série Excel)"),
    "reject.integer": ("a whole number", "un nombre entier"),
    "reject.integer_min": ("a whole number >= {minimum}", "un nombre entier >= {minimum}"),
    "reject.decimal": ("a number (decimal point or comma)", "un nombre (virgule ou point décimal)"),
    "reject.decimal_min": ("a number (decimal point or comma) >= {minimum}",
                           "un nombre (virgule ou point décimal) >= {minimum}"),
    "reject.boolean": ("yes/no (1/0, true/false, oui/non)", "oui/non (1/0, true/false, oui/non)"),
    "reject.choice": ("one of {choices}", "l'une des valeurs {choices}"),
    "reject.several": ("several cells", "plusieurs cellules"),
    "reject.several.part": ("{column}: {expected}", "{column} : {expected}"),
    "reject.several.separator": ("; ", " ; "),
    "reject.lead_identity": ("a lead_id or an e-mail to identify the lead",
                             "un lead_id ou un e-mail pour identifier le lead"),
    "reject.stage_order": ("every stage date (mql_at ... lost_at) on or after created_at",
                           "toutes les dates d'étape (mql_at … lost_at) le jour de created_at ou après"),
    "reject.won_and_lost": ("a lead that is won or lost, not both", "un lead gagné ou perdu, pas les deux"),
    "reject.clicks_over_impressions": ("{clicks} <= {impressions}: no more clicks than impressions",
                                       "{clicks} <= {impressions} : pas plus de clics que d'impressions"),
    "reject.stringency_range": ("a stringency index between 0 and 100", "un indice de sévérité entre 0 et 100"),
    "reject.experiment_dates": ("an end on or after start", "une fin le jour du début ou après"),
    "reject.experiment_interval": ("lo <= hi", "lo <= hi"),
    "reject.experiment_estimate": ("incremental_leads between lo and hi", "incremental_leads entre lo et hi"),
    "reject.experiment_regions": ("region codes separated by ';', or '*'",
                                  "des codes de région séparés par « ; », ou « * »"),
    "reject.must_exist": ("a {column} already loaded", "un {column} déjà chargé"),
    "reject.olist_mql_first": ("an mql_id of a lead already loaded (load olist_marketing_qualified_leads_dataset.csv "
                               "first)",
                               "un mql_id d'un lead déjà chargé (chargez d'abord "
                               "olist_marketing_qualified_leads_dataset.csv)"),
    "reject.duplicate_key": ("a unique {columns}: this key appears twice in the file (first seen on line {line})",
                             "un {columns} unique : cette clé apparaît deux fois dans le fichier (vue d'abord ligne "
                             "{line})"),
    "reject.duplicate_key_nowhere": ("a unique {columns}: this key appears twice in the file",
                                     "un {columns} unique : cette clé apparaît deux fois dans le fichier"),
    "reject.unknown_code": ("a known {dimension} code ({known})", "un code de {dimension} connu ({known})"),
    "reject.dimension.region": ("region", "région"),
    "reject.dimension.channel": ("channel", "canal"),
    "reject.fields": ("{fields} fields separated by {separator}, found {found}",
                      "{fields} champs séparés par {separator}, {found} trouvés"),
    "reject.separator.tab": ("a tab", "une tabulation"),
    "reject.column": ("{name} (column {at})", "{name} (colonne {at})"),
}
