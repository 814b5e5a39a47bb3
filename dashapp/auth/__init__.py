"""Who is logged in: users in the store, argon2 passwords, lockout, the login form, the audit log."""
