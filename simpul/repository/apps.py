from django.apps import AppConfig


class RepositoryConfig(AppConfig):
    name = "simpul.repository"
    label = "repository"
    verbose_name = "Repository"

    def ready(self) -> None:
        from simpul.catalog.services import indexing
        from simpul.repository.catalogue import full_texts

        indexing.register_full_text_source(full_texts)
