from attunement.cli import app

app(prog_name="attunement")
