"""What a case, a call and a note are, and the rules over them. No Qt, no SQL, no PDF here."""
