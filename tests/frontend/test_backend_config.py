"""BACKEND_URL: a full URL as given, or the original sample's bare host name."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from frontend_site.backend_config import backend_url


def test_an_empty_backend_url_means_the_local_backend():
    assert backend_url("") == "http://127.0.0.1:8001"


def test_a_full_url_is_used_as_given_without_a_trailing_slash():
    assert backend_url("http://10.0.0.5:8001/") == "http://10.0.0.5:8001"
    assert backend_url(" https://ranks.example.com ") == "https://ranks.example.com"


def test_a_bare_host_name_means_https_on_that_host():
    assert backend_url("abc123.eu-west-1.awsapprunner.com") == (
        "https://abc123.eu-west-1.awsapprunner.com"
    )


def test_another_scheme_is_a_configuration_error_naming_the_variable():
    with pytest.raises(ImproperlyConfigured, match="BACKEND_URL"):
        backend_url("ftp://ranks.example.com")
