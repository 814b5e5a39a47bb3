"""Layout functions shared by the pages: the shell (navbar, errors) and small components."""
