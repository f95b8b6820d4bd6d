"""Version discovery documents: what GET / and GET /v1 of an API answer."""

from stx.api import app


def root_document(name, description):
    """GET /: the API's name and its one version, v1."""
    base = app.base_url()
    v1 = {'id': 'v1', 'status': 'CURRENT',
          'links': [app.version_link(base + '/v1/')]}
    return {'name': name, 'description': description, 'versions': [v1],
            'default_version': v1}


def v1_document(service, resources):
    """GET /v1: the version, its media type and a link to each resource."""
    base = app.base_url() + '/v1/'
    document = {
        'id': 'v1',
        'links': [app.version_link(base)],
        'media_types': [{'base': 'application/json',
                         'type': 'application/vnd.openstack.%s.v1+json'
                         % service}],
    }
    for resource in resources:
        document[resource] = [app.version_link(base + resource)]
    return document
