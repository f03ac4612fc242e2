from django.apps import AppConfig


class RepositoryConfig(AppConfig):
    name = "simpul.repository"
    label = "repository"
    verbose_name = "Repository"

    def ready(self) -> None:
        from simpul.catalog.services import indexing
        from simpul.harvest import adjusters
        from simpul.repository.catalogue import full_texts
        from simpul.repository.harvested import mark_repository_record

        indexing.register_full_text_source(full_texts)
        adjusters.register_record_adjuster(mark_repository_record)
