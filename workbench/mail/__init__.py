"""E-mail for the desk (issue #21): messages out to vendors and customers over SMTP (or
written as ``.eml`` where no SMTP is configured), and mail in from IMAP or a Maildir,
threaded onto cases by case ID and Message-ID."""
