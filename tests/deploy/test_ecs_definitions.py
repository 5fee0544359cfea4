"""The ECS CloudFormation under deploy/ecs/ says what the sites read and keeps the backend private.

The templates are JSON in CloudFormation's long form (`Ref`, `Fn::Sub`, `Fn::GetAtt`), so they
are read here with the standard library: no YAML tags to teach a parser.
"""

from __future__ import annotations

import json
import re
import runpy
from functools import cache

import pytest

from common.local_servers import ROOT
from tests.deploy.definitions import SITES, variables_read

ECS = ROOT / "deploy" / "ecs"
APP = "leaderboard.json"
NETWORK = "network.json"
GUIDE = ROOT / "docs" / "deploy-ecs.md"

# Read by manage.py and the settings module itself, not by any one line of a site's code.
SET_BY_THE_PLATFORM = {"DJANGO_SETTINGS_MODULE"}
# What each site refuses to start without when DJANGO_DEBUG is off (see each site's wsgi.py
# and access.py), plus what the backend cannot do without in production (its SQLite and
# local-Redis defaults would lose every score on a task's ephemeral disk; without the read
# token it refuses the frontend).
REQUIRED = {
    "backend": {"DJANGO_SECRET_KEY", "BACKEND_READ_TOKEN", "DATABASE_URL", "REDIS_URL"},
    "frontend": {"DJANGO_SECRET_KEY", "BACKEND_API_KEY", "BACKEND_URL"},
}
# Each one in a secret, never in plain text in the template or the task definition.
SECRETS = {
    "DJANGO_SECRET_KEY",
    "BACKEND_SERVICE_TOKEN",
    "BACKEND_READ_TOKEN",
    "BACKEND_API_KEY",
    "DATABASE_URL",
    "REDIS_URL",
}


@cache
def template(name: str) -> dict:
    return json.loads((ECS / name).read_text())


def resources(kind: str, name: str = APP) -> dict[str, dict]:
    """The template's resources of one type, by logical name."""
    found = template(name)["Resources"].items()
    return {logical: body["Properties"] for logical, body in found if body["Type"] == kind}


def containers() -> dict[str, dict]:
    """Each container the stack runs, named by what it runs: backend, migrate, frontend."""
    found = {}
    for task in resources("AWS::ECS::TaskDefinition").values():
        for container in task["ContainerDefinitions"]:
            found[container["Name"]] = container
    for service in resources("AWS::ECS::ExpressGatewayService").values():
        found["frontend"] = service["PrimaryContainer"]
    return found


def site_of(container: str) -> str:
    return "frontend" if container == "frontend" else "backend"


def environment(container: dict) -> dict:
    return {item["Name"]: item["Value"] for item in container.get("Environment", [])}


def secret_names(container: dict) -> set[str]:
    return {item["Name"] for item in container.get("Secrets", [])}


def names_set_by(container: dict) -> set[str]:
    return set(environment(container)) | secret_names(container)


def test_the_stack_runs_a_backend_a_migration_a_frontend_and_the_webhook_deliverer():
    assert set(containers()) == {"backend", "migrate", "frontend", "webhooks"}


def test_the_variables_the_test_looks_for_are_found_in_the_code():
    # A guard on the finder itself: if it found nothing, every test below would pass vacuously.
    assert {"DATABASE_URL", "BACKEND_ALLOWED_NETWORKS", "PORT"} <= variables_read("backend")
    assert {"BACKEND_URL", "FRONTEND_STALE_SECONDS"} <= variables_read("frontend")


@pytest.mark.parametrize("name", ["backend", "migrate", "frontend", "webhooks"])
def test_every_variable_a_container_sets_is_one_its_site_reads(name):
    site = site_of(name)
    unread = names_set_by(containers()[name]) - variables_read(site) - SET_BY_THE_PLATFORM

    assert not unread, (
        f"{name}: the template sets {sorted(unread)} but {SITES[site]} never reads them"
    )


@pytest.mark.parametrize("name", ["backend", "migrate", "frontend", "webhooks"])
def test_every_variable_the_site_requires_in_production_is_set(name):
    container = containers()[name]
    missing = REQUIRED[site_of(name)] - names_set_by(container)

    assert not missing, f"{name}: set {sorted(missing)}"
    assert environment(container)["DJANGO_DEBUG"] == "false"
    assert environment(container)["LOG_FORMAT"] == "json"


@pytest.mark.parametrize("name", ["backend", "migrate", "frontend", "webhooks"])
def test_secrets_come_from_secrets_manager_and_never_sit_in_plain_text(name):
    container = containers()[name]
    in_plain_text = SECRETS & set(environment(container))
    arns = {item["Name"]: item["ValueFrom"] for item in container.get("Secrets", [])}
    parameters = template(APP)["Parameters"]

    assert not in_plain_text, f"{name}: move {sorted(in_plain_text)} to Secrets"
    for variable, value_from in arns.items():
        assert set(value_from) == {"Ref"}, f"{name}: {variable} should name a secret's ARN"
        assert "Secrets Manager ARN" in parameters[value_from["Ref"]]["Description"]


def secret_arn(name: str, variable: str) -> dict:
    secrets = containers()[name]["Secrets"]
    return next(item["ValueFrom"] for item in secrets if item["Name"] == variable)


def test_each_site_has_its_own_secret_key():
    assert secret_arn("backend", "DJANGO_SECRET_KEY") != secret_arn("frontend", "DJANGO_SECRET_KEY")


def test_the_frontend_holds_only_the_read_token_the_backend_takes_as_read_only():
    read_token = secret_arn("frontend", "BACKEND_API_KEY")

    assert secret_names(containers()["frontend"]) == {"DJANGO_SECRET_KEY", "BACKEND_API_KEY"}
    for name in ("backend", "migrate", "webhooks"):
        assert secret_arn(name, "BACKEND_READ_TOKEN") == read_token, name
        assert secret_arn(name, "BACKEND_SERVICE_TOKEN") != read_token, name


def test_the_execution_role_may_read_exactly_the_secrets_the_containers_use():
    role = resources("AWS::IAM::Role")["ExecutionRole"]
    statement = role["Policies"][0]["PolicyDocument"]["Statement"][0]
    used = {item["ValueFrom"]["Ref"] for c in containers().values() for item in c["Secrets"]}

    assert statement["Action"] == "secretsmanager:GetSecretValue"
    assert {resource["Ref"] for resource in statement["Resource"]} == used


def test_the_backend_load_balancer_is_internal_in_private_subnets():
    (balancer,) = resources("AWS::ElasticLoadBalancingV2::LoadBalancer").values()

    assert balancer["Scheme"] == "internal"
    assert balancer["Subnets"] == {"Ref": "PrivateSubnetIds"}


def test_the_sites_keep_idle_connections_open_longer_than_the_load_balancer():
    """Else the balancer may send a request on a connection gunicorn is closing: a 502."""
    (balancer,) = resources("AWS::ElasticLoadBalancingV2::LoadBalancer").values()
    attributes = {a["Key"]: a["Value"] for a in balancer.get("LoadBalancerAttributes", [])}
    idle_timeout = int(attributes.get("idle_timeout.timeout_seconds", 60))  # AWS's default

    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["keepalive"] > idle_timeout


def test_backend_tasks_get_no_public_address_and_run_in_private_subnets():
    service = resources("AWS::ECS::Service")["BackendService"]
    network = service["NetworkConfiguration"]["AwsvpcConfiguration"]

    assert network["AssignPublicIp"] == "DISABLED"
    assert network["Subnets"] == {"Ref": "PrivateSubnetIds"}


def test_no_security_group_of_the_backend_admits_the_internet():
    groups = resources("AWS::EC2::SecurityGroup")
    for logical in [
        "BackendLoadBalancerSecurityGroup",
        "BackendSecurityGroup",
        "WebhooksSecurityGroup",
    ]:
        for rule in groups[logical].get("SecurityGroupIngress", []):
            assert rule.get("CidrIp") not in {"0.0.0.0/0"}, logical
            assert rule.get("CidrIpv6") not in {"::/0"}, logical
            assert "SourceSecurityGroupId" in rule, f"{logical} admits a range, not a group"


def test_the_backend_accepts_only_the_frontend_through_its_load_balancer():
    groups = resources("AWS::EC2::SecurityGroup")

    def sources(logical):
        return [rule["SourceSecurityGroupId"] for rule in groups[logical]["SecurityGroupIngress"]]

    assert sources("BackendLoadBalancerSecurityGroup") == [{"Ref": "FrontendSecurityGroup"}]
    assert sources("BackendSecurityGroup") == [{"Ref": "BackendLoadBalancerSecurityGroup"}]
    (express,) = resources("AWS::ECS::ExpressGatewayService").values()
    assert express["NetworkConfiguration"]["SecurityGroups"] == [{"Ref": "FrontendSecurityGroup"}]


def test_the_frontend_reaches_the_backend_through_the_internal_load_balancer():
    frontend = environment(containers()["frontend"])

    assert frontend["BACKEND_URL"] == {"Fn::Sub": "http://${BackendLoadBalancer.DNSName}"}


@pytest.mark.parametrize("name", ["backend", "migrate"])
def test_the_backend_admits_the_vpc_and_believes_its_load_balancer(name):
    backend = environment(containers()[name])

    # The TCP peer is the load balancer, whose addresses come from the VPC's range; it appends
    # the frontend's address to X-Forwarded-For, which access.py then judges.
    assert backend["BACKEND_ALLOWED_NETWORKS"] == {"Ref": "VpcCidr"}
    assert backend["BACKEND_TRUSTED_PROXIES"] == {"Ref": "VpcCidr"}
    assert backend["DJANGO_ALLOWED_HOSTS"] == {"Fn::GetAtt": ["BackendLoadBalancer", "DNSName"]}
    assert backend["REDIS_CLUSTER"] == "true"  # ElastiCache Serverless is a cluster


def test_health_checks_ask_healthz():
    (target_group,) = resources("AWS::ElasticLoadBalancingV2::TargetGroup").values()
    (express,) = resources("AWS::ECS::ExpressGatewayService").values()

    assert target_group["HealthCheckPath"] == "/healthz"
    assert express["HealthCheckPath"] == "/healthz"


@pytest.mark.parametrize(("name", "argument"), [("backend", "backend"), ("frontend", "frontend")])
def test_each_service_starts_its_own_site_on_port_8000(name, argument):
    container = containers()[name]
    ports = [mapping["ContainerPort"] for mapping in container.get("PortMappings", [])]

    assert container["Command"] == ["sh", "deploy/start.sh", argument]
    assert 8000 in ports or container.get("ContainerPort") == 8000


def test_the_migration_task_runs_the_migrate_command_with_the_backends_settings():
    migrate, backend = containers()["migrate"], containers()["backend"]

    assert migrate["Command"] == ["sh", "deploy/start.sh", "migrate"]
    assert backend["Image"] == containers()["frontend"]["Image"] == {"Ref": "Image"}
    # A release migrates with its new image first (MigrateImage), then rolls the services.
    assert migrate["Image"] == {
        "Fn::If": ["MigrateImageGiven", {"Ref": "MigrateImage"}, {"Ref": "Image"}]
    }
    assert environment(migrate) == environment(backend)
    assert migrate["Secrets"] == backend["Secrets"]
    assert "PortMappings" not in migrate  # a one-off task: nothing connects to it


def test_the_start_script_knows_the_commands_the_stack_runs():
    script = (ROOT / "deploy" / "start.sh").read_text()
    words = ["backend", "frontend", "migrate", "webhooks"]
    missing = [word for word in words if f"{word})" not in script]

    assert not missing, f"deploy/start.sh has no case for {missing} (the image branch adds it)"


def test_the_webhook_deliverer_is_a_service_of_its_own_with_a_way_out_and_none_in():
    """It runs beside the backend with its settings and secrets, one task (several would be
    safe: no two send the same delivery), in a public subnet with a public address, since
    the endpoints are on the internet and the network has no NAT gateway; its security group
    admits nothing, and the database admits it."""
    webhooks, backend = containers()["webhooks"], containers()["backend"]
    assert webhooks["Command"] == ["sh", "deploy/start.sh", "webhooks"]
    assert webhooks["Image"] == {"Ref": "Image"} and "PortMappings" not in webhooks
    assert webhooks["Secrets"] == backend["Secrets"]
    gunicorn = {"WEB_CONCURRENCY", "GUNICORN_THREADS"}
    assert environment(webhooks) == {
        k: v for k, v in environment(backend).items() if k not in gunicorn
    }
    service = resources("AWS::ECS::Service")["WebhooksService"]
    network = service["NetworkConfiguration"]["AwsvpcConfiguration"]
    assert service["TaskDefinition"] == {"Ref": "WebhooksTaskDefinition"}
    assert "LoadBalancers" not in service and service["DesiredCount"] >= 1
    assert network["Subnets"] == {"Ref": "PublicSubnetIds"}
    assert network["AssignPublicIp"] == "ENABLED"
    assert network["SecurityGroups"] == [{"Ref": "WebhooksSecurityGroup"}]
    group = resources("AWS::EC2::SecurityGroup")["WebhooksSecurityGroup"]
    assert "SecurityGroupIngress" not in group
    ingress = resources("AWS::EC2::SecurityGroupIngress")["DatabaseIngressFromWebhooks"]
    assert ingress["SourceSecurityGroupId"] == {"Ref": "WebhooksSecurityGroup"}
    assert ingress["FromPort"] == 5432


def test_both_services_scale_with_target_tracking():
    (target,) = resources("AWS::ApplicationAutoScaling::ScalableTarget").values()
    (policy,) = resources("AWS::ApplicationAutoScaling::ScalingPolicy").values()
    (express,) = resources("AWS::ECS::ExpressGatewayService").values()
    metric = policy["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"]

    assert target["ResourceId"] == {"Fn::Sub": "service/${Cluster}/${BackendService.Name}"}
    assert policy["PolicyType"] == "TargetTrackingScaling"
    assert metric["PredefinedMetricType"] == "ECSServiceAverageCPUUtilization"
    assert express["ScalingTarget"]["AutoScalingMetric"] in {
        "AVERAGE_CPU",
        "AVERAGE_MEMORY",
        "REQUEST_COUNT_PER_TARGET",
    }
    assert express["ScalingTarget"]["MaxTaskCount"] != express["ScalingTarget"]["MinTaskCount"]


def test_every_reference_names_a_parameter_or_a_resource():
    for name in [APP, NETWORK]:
        known = {*template(name)["Parameters"], *template(name)["Resources"], "AWS::Region"}
        refs = set(re.findall(r'"Ref": "([^"]+)"', (ECS / name).read_text()))
        subs = set(re.findall(r"\$\{([A-Za-z:]+)", (ECS / name).read_text()))
        unknown = {item for item in refs | subs if item.split(".")[0] not in known}
        assert not unknown, f"{name}: {sorted(unknown)}"


def test_the_guide_deploys_both_templates_and_runs_the_migration():
    guide = GUIDE.read_text()

    for needed in ["deploy/ecs/network.json", "deploy/ecs/leaderboard.json", "aws ecs run-task"]:
        assert needed in guide, f"{GUIDE.name} should show {needed}"
    for parameter in template(APP)["Parameters"]:
        assert parameter in guide, f"{GUIDE.name} should explain the parameter {parameter}"


@pytest.mark.parametrize("name", [APP, NETWORK])
def test_the_template_passes_cfn_lint_against_aws_resource_schemas(name):
    # cfn-lint checks every resource type and property against the schemas AWS publishes
    # (AWS::ECS::ExpressGatewayService included), every Ref and GetAtt, and the intrinsics.
    from cfnlint.api import lint_file

    findings = lint_file(ECS / name)

    assert not findings, "\n".join(str(finding) for finding in findings)


@pytest.mark.parametrize("guide", ["deploy-ecs.md", "deploy-app-runner.md"])
def test_each_guide_says_how_the_webhook_deliverer_runs(guide):
    text = (ROOT / "docs" / guide).read_text()
    assert "sh deploy/start.sh webhooks" in text
    assert "WebhooksService" in text
    if guide == "deploy-app-runner.md":  # App Runner runs web services only: beside it
        assert "ECS service" in text and "deploy/start.sh webhooks --once" in text
