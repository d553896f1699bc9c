from .presenter import Presenter
