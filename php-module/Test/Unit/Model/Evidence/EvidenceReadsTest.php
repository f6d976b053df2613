<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Model\Evidence;

use Magento\Config\Model\Config\Backend\Encrypted;
use Magento\Config\Model\Config\Structure\Reader;
use Magento\Framework\App\DeploymentConfig;
use Magento\Framework\Exception\InputException;
use MagentoIr\IncidentResponse\Model\Evidence\ConfigPathPatterns;
use MagentoIr\IncidentResponse\Model\Evidence\EncryptedConfigPaths;
use MagentoIr\IncidentResponse\Model\Evidence\GetAdmins;
use MagentoIr\IncidentResponse\Model\Evidence\GetAdminSessions;
use MagentoIr\IncidentResponse\Model\Evidence\GetConfigValues;
use MagentoIr\IncidentResponse\Model\Evidence\GetIntegrations;
use MagentoIr\IncidentResponse\Test\Unit\Support\FakeDb;
use PHPUnit\Framework\TestCase;

final class EvidenceReadsTest extends TestCase
{
    public function testAdminsCarryTheirRoleAndNoSecretColumnIsSelected(): void
    {
        $db = (new FakeDb($this))->answer('/FROM admin_user/', [
            ['user_id' => '1', 'username' => 'owner', 'email' => 'o@example.com', 'firstname' => 'O',
                'lastname' => 'W', 'is_active' => '1', 'lock_expires' => null, 'failures_num' => '0',
                'logdate' => '2024-05-01 02:58:11', 'lognum' => '4', 'created' => '2023-01-10 09:00:00',
                'modified' => null, 'role_id' => '1', 'role_name' => 'Administrators'],
            ['user_id' => '2', 'username' => 'ghost', 'email' => 'g@example.net', 'firstname' => 'G',
                'lastname' => 'H', 'is_active' => '0', 'lock_expires' => '2030-01-01 00:00:00', 'failures_num' => '6',
                'logdate' => null, 'lognum' => '0', 'created' => '2024-04-30 23:00:00',
                'modified' => '2024-04-30 23:01:00', 'role_id' => null, 'role_name' => null],
        ]);

        $list = (new GetAdmins($db->resource))->execute();

        self::assertSame(2, $list->getTotalCount());
        [$owner, $ghost] = $list->getItems();
        self::assertSame('Administrators', $owner->getRoleName());
        self::assertTrue($owner->getIsActive());
        self::assertNull($ghost->getRoleId());
        self::assertSame('2030-01-01 00:00:00', $ghost->getLockExpires());
        $sql = $db->calls('fetchAll')[0][1];
        self::assertDoesNotMatchRegularExpression('/password|rp_token|extra/', $sql);
    }

    public function testAdminSessionsFilterBySinceAndFlagTruncation(): void
    {
        $db = (new FakeDb($this))
            ->answer('/COUNT/', (string) (GetAdminSessions::MAX_ROWS + 1))
            ->answer('/FROM admin_user_session/', [
                ['id' => '9', 'user_id' => '2', 'status' => '1', 'created_at' => '2024-05-01 03:00:00',
                    'updated_at' => '2024-05-01 03:10:00', 'ip' => '203.0.113.7'],
            ]);

        $list = (new GetAdminSessions($db->resource))->execute('2024-05-01 00:00:00');

        self::assertTrue($list->getTruncated());
        self::assertSame(GetAdminSessions::MAX_ROWS + 1, $list->getTotalCount());
        self::assertSame('203.0.113.7', $list->getItems()[0]->getIp());
        $select = $db->calls('fetchAll')[0];
        self::assertStringContainsString('updated_at >= ?', $select[1]);
        self::assertStringContainsString('ORDER BY updated_at DESC, id DESC', $select[1]);
        self::assertSame(['2024-05-01 00:00:00'], $select[2]);
    }

    public function testAdminSessionsRejectAMalformedSince(): void
    {
        $this->expectException(InputException::class);
        (new GetAdminSessions((new FakeDb($this))->resource))->execute('2024-02-30 00:00:00');
    }

    public function testIntegrationsCarryTheConsumerTimeAndNoKeys(): void
    {
        $db = (new FakeDb($this))->answer('/FROM integration/', [
            ['integration_id' => '3', 'name' => 'ERP', 'email' => '', 'endpoint' => null, 'status' => '1',
                'setup_type' => '0', 'created_at' => '2024-03-02 10:00:00', 'updated_at' => '2024-03-02 10:05:00',
                'consumer_created_at' => '2024-03-02 10:00:00'],
        ]);

        $item = (new GetIntegrations($db->resource))->execute()->getItems()[0];

        self::assertNull($item->getEmail());
        self::assertSame('2024-03-02 10:00:00', $item->getConsumerCreatedAt());
        self::assertDoesNotMatchRegularExpression('/\bkey\b|secret|token/', $db->calls('fetchAll')[0][1]);
    }

    /**
     * @return array<string, array{0: string, 1: bool}>
     */
    public static function requestedPaths(): array
    {
        return [
            'exact evidence path' => ['design/head/includes', true],
            'allow-listed prefix' => ['design/head/*', true],
            'narrower prefix' => ['csp/mode/*', true],
            'inner wildcard' => ['payment/*/active', true],
            'one method title' => ['payment/checkmo/title', true],
            'broader than allowed' => ['design/*', false],
            'payment secret' => ['payment/braintree/private_key', false],
            'crypt key' => ['crypt/key', false],
            'partial wildcard' => ['design/he*/includes', false],
            'empty segment' => ['design//includes', false],
        ];
    }

    /**
     * @dataProvider requestedPaths
     */
    public function testAllowListDecidesWhichPathsMayBeRead(string $path, bool $allowed): void
    {
        self::assertSame($allowed, ConfigPathPatterns::isAllowed($path));
    }

    public function testConfigRowsAreMatchedMaskedAndFlaggedLocked(): void
    {
        $db = (new FakeDb($this))
            ->answer('/FROM core_config_data/', [
                ['path' => 'payment/checkmo/active', 'scope' => 'default', 'scope_id' => '0', 'value' => '1',
                    'updated_at' => '2024-01-05 08:00:00'],
                ['path' => 'payment/checkmo/active', 'scope' => 'websites', 'scope_id' => '1', 'value' => '1',
                    'updated_at' => '2024-01-05 08:00:00'],
                ['path' => 'payment/vault/cc/active', 'scope' => 'default', 'scope_id' => '0', 'value' => '1',
                    'updated_at' => '2024-01-05 08:00:00'],
                ['path' => 'payment/secretpay/active', 'scope' => 'default', 'scope_id' => '0',
                    'value' => '0:3:abc', 'updated_at' => '2024-01-05 08:00:00'],
            ])
            ->answer('/FROM store_website/', ['1' => 'base'])
            ->answer('/FROM store\b/', ['1' => 'default']);
        $deployment = $this->getMockBuilder(DeploymentConfig::class)->disableOriginalConstructor()->getMock();
        $deployment->method('get')->willReturnCallback(
            static fn ($key) => $key === 'system/websites/base/payment/checkmo/active' ? '0' : null
        );
        // system.xml as Magento's reader gives it for the adminhtml scope: one encrypted field by structure
        // path, one (PayPal-style) stored under its config_path.
        $reader = $this->getMockBuilder(Reader::class)->getMock();
        $reader->expects(self::once())->method('read')->with('adminhtml')->willReturn(['config' => ['system' => [
            'sections' => [
                'payment' => ['id' => 'payment', 'children' => [
                    'secretpay' => ['id' => 'secretpay', 'children' => [
                        'active' => ['id' => 'active', 'backend_model' => Encrypted::class],
                    ]],
                    'checkmo' => ['id' => 'checkmo', 'children' => ['active' => ['id' => 'active']]],
                ]],
                'payment_all_vault' => ['id' => 'payment_all_vault', 'children' => [
                    'required' => ['id' => 'required', 'children' => [
                        'title' => [
                            'id' => 'title',
                            'backend_model' => Encrypted::class,
                            'config_path' => 'payment/vaultpay/title',
                        ],
                    ]],
                ]],
            ],
        ]]]);
        $encrypted = new EncryptedConfigPaths($reader);
        self::assertTrue($encrypted->isEncrypted('payment/vaultpay/title'));

        $list = (new GetConfigValues($db->resource, $deployment, $encrypted))->execute(['payment/*/active']);

        $rows = array_map(
            static fn ($item): array => [$item->getPath(), $item->getScope(), $item->getValue(), $item->getLocked()],
            $list->getItems()
        );
        self::assertSame([
            ['payment/checkmo/active', 'default', '1', false],
            ['payment/checkmo/active', 'websites', '1', true],
            ['payment/secretpay/active', 'default', GetConfigValues::ENCRYPTED, false],
        ], $rows);
        self::assertSame(['payment/%'], $db->calls('fetchAll')[0][2]);
    }

    public function testConfigNamesThePathOutsideTheAllowList(): void
    {
        $subject = new GetConfigValues(
            (new FakeDb($this))->resource,
            $this->getMockBuilder(DeploymentConfig::class)->disableOriginalConstructor()->getMock(),
            new EncryptedConfigPaths(new Reader())
        );
        try {
            $subject->execute(['design/head/includes', 'crypt/key']);
            self::fail('crypt/key was accepted');
        } catch (InputException $exception) {
            self::assertSame(['path' => 'crypt/key'], $exception->getParameters());
        }
    }

    public function testConfigRequiresAtLeastOnePath(): void
    {
        $this->expectException(InputException::class);
        ConfigPathPatterns::fromRequest([]);
    }
}
