"""The input layer's refusals (``pilotage.input.InputError.code``), with their ``params``."""

MESSAGES = {
    "input.refused": ("the file cannot be used.", "le fichier ne peut pas être utilisé."),
    "input.no_file": ("the file does not exist.", "le fichier n'existe pas."),
    "input.format": ("only CSV and XLSX files can be read.", "seuls les fichiers CSV et XLSX peuvent être lus."),
    "input.too_large": ("the file is larger than {limit_mb} MB.", "le fichier dépasse {limit_mb} Mo."),
    "input.unpacked_too_large": ("the file is larger than {limit_mb} MB. Once unpacked, this XLSX would exceed "
                                 "{unpacked_mb} MB.",
                                 "le fichier dépasse {limit_mb} Mo. Décompressé, ce XLSX dépasserait "
                                 "{unpacked_mb} Mo."),
    "input.zip_ratio": ("the file cannot be read as a table: one of its parts unpacks to more than {limit} times "
                        "its size.",
                        "le fichier ne peut pas être lu comme un tableau : une de ses parties décompressée dépasse "
                        "{limit} fois sa taille."),
    "input.too_many_rows": ("the file has more than {limit} rows.", "le fichier dépasse {limit} lignes."),
    "input.too_many_columns": ("the file has more than {limit} columns.", "le fichier dépasse {limit} colonnes."),
    "input.empty": ("the file cannot be read as a table: it is empty.",
                    "le fichier ne peut pas être lu comme un tableau : il est vide."),
    "input.header_blank": ("a column of the header has no name.", "une colonne de l'en-tête n'a pas de nom."),
    "input.header_twice": ("the column “{name}” appears twice in the header.",
                           "la colonne « {name} » apparaît deux fois dans l'en-tête."),
    "input.ragged": ("this row does not have the header's {columns} values.",
                     "cette ligne n'a pas les {columns} valeurs de l'en-tête."),
    "input.unreadable": ("the file cannot be read as a table.", "le fichier ne peut pas être lu comme un tableau."),
    "input.xml_forbidden": ("the file cannot be read as a table: its XML declares entities, which are refused.",
                            "le fichier ne peut pas être lu comme un tableau : son XML déclare des entités, "
                            "qui sont refusées."),
    "input.no_sheet": ("the workbook has no sheet named “{sheet}”.", "le classeur n'a pas de feuille « {sheet} »."),
    "input.too_slow": ("the file could not be read within {seconds} s.",
                       "le fichier n'a pas pu être lu en {seconds} s."),
    "input.too_costly": ("the file could not be read within the memory and time allowed.",
                         "le fichier n'a pas pu être lu dans la mémoire et le temps impartis."),
}
