"""The Textual app of Case Workbench (imports textual; the core never imports this)."""
