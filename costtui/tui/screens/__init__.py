"""The screens of the costtui app: the cost view and its dialogs."""
