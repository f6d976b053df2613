<?php
/**
 * Creates or deletes the test principals the ACL tests need on a real store, with Magento's own models
 * (core REST has no admin-user, role or integration routes). Run from the store's root:
 *   php principals.php create NAME PASSWORD RESOURCE...   prints JSON: admin id, integration OAuth keys
 *   php principals.php delete NAME                        removes the role, admin and integration NAME
 *   php principals.php token NAME                         prints JSON: integration NAME's OAuth keys now
 */

declare(strict_types=1);

use Magento\Authorization\Model\RoleFactory;
use Magento\Authorization\Model\RulesFactory;
use Magento\Authorization\Model\UserContextInterface;
use Magento\Framework\App\Bootstrap;
use Magento\Integration\Api\AuthorizationServiceInterface;
use Magento\Integration\Api\IntegrationServiceInterface;
use Magento\Integration\Api\OauthServiceInterface;
use Magento\User\Model\UserFactory;

require getcwd() . '/app/bootstrap.php';

$objects = Bootstrap::create(BP, $_SERVER)->getObjectManager();
$objects->get(\Magento\Framework\App\State::class)->setAreaCode('adminhtml');
[$action, $name] = [$argv[1] ?? '', $argv[2] ?? ''];
if (!preg_match('/^[a-z0-9_]{4,40}$/', $name)) {
    fwrite(STDERR, "usage: php principals.php create|delete|token NAME [PASSWORD RESOURCE...]\n");
    exit(2);
}
$integrations = $objects->get(IntegrationServiceInterface::class);

if ($action === 'delete') {
    $user = $objects->get(UserFactory::class)->create()->loadByUsername($name);
    if ($user->getId()) {
        $user->delete();
    }
    $role = $objects->get(RoleFactory::class)->create()->load($name, 'role_name');
    if ($role->getId()) {
        $role->delete();
    }
    $integration = $integrations->findByName($name);
    if ($integration->getId()) {
        $integrations->delete((int) $integration->getId());
    }
    echo "{}\n";
    exit(0);
}

$oauth = $objects->get(OauthServiceInterface::class);

/** The integration's OAuth keys as the store holds them now (after a re-issue they are new). */
function oauthKeys(OauthServiceInterface $oauth, int $consumerId): array
{
    $consumer = $oauth->loadConsumer($consumerId);
    $token = $oauth->getAccessToken($consumerId);
    return [
        'consumer_key' => $consumer->getKey(),
        'consumer_secret' => $consumer->getSecret(),
        'access_token' => $token ? $token->getToken() : null,
        'access_token_secret' => $token ? $token->getSecret() : null,
    ];
}

if ($action === 'token') {
    $integration = $integrations->findByName($name);
    if (!$integration->getId()) {
        fwrite(STDERR, "no integration named $name\n");
        exit(1);
    }
    echo json_encode(oauthKeys($oauth, (int) $integration->getConsumerId())), "\n";
    exit(0);
}

$resources = array_slice($argv, 4);
$role = $objects->get(RoleFactory::class)->create();
$role->setRoleName($name)->setParentId(0)->setRoleType('G')
    ->setUserType((string) UserContextInterface::USER_TYPE_ADMIN)->save();
$objects->get(RulesFactory::class)->create()->setRoleId($role->getId())->setResources($resources)->saveRel();
$user = $objects->get(UserFactory::class)->create();
$user->setData([
    'username' => $name,
    'firstname' => 'Acl',
    'lastname' => 'Test',
    'email' => $name . '@example.com',
    'password' => $argv[3],
    'is_active' => 1,
]);
$user->setRoleId($role->getId())->save();

$integration = $integrations->create([
    'name' => $name,
    'email' => $name . '@example.com',
    'status' => 1,
    'all_resources' => 0,
    'resource' => $resources,
]);
$objects->get(AuthorizationServiceInterface::class)->grantPermissions((int) $integration->getId(), $resources);
$consumerId = (int) $integration->getConsumerId();
$oauth->createAccessToken($consumerId, true);
echo json_encode(['admin_id' => (int) $user->getId()] + oauthKeys($oauth, $consumerId)), "\n";
