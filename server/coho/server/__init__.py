"""coho metadata access server: repository, access services, cohort membership."""
