<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Model\Maintenance;

use Magento\Framework\App\Cache\TypeListInterface;
use Magento\Framework\App\MaintenanceMode;
use Magento\Framework\Event\ManagerInterface;
use Magento\Framework\Exception\InputException;
use Magento\Framework\HTTP\PhpEnvironment\RemoteAddress;
use MagentoIr\IncidentResponse\Model\Action\Input;
use MagentoIr\IncidentResponse\Model\Maintenance\GetMaintenanceMode;
use MagentoIr\IncidentResponse\Model\Maintenance\MaintenanceStateStore;
use MagentoIr\IncidentResponse\Model\Maintenance\MaintenanceStatus;
use MagentoIr\IncidentResponse\Model\Maintenance\SetMaintenanceMode;
use MagentoIr\IncidentResponse\Test\Unit\Support\FakeDb;
use MagentoIr\IncidentResponse\Test\Unit\Support\Fixtures;
use MagentoIr\IncidentResponse\Test\Unit\Support\MemoryVarDirectory;
use PHPUnit\Framework\TestCase;

final class SetMaintenanceModeTest extends TestCase
{
    private bool $flag = false;
    /** @var list<string> */
    private array $allowList = [];
    /** @var list<string> */
    private array $cleaned = [];
    private MemoryVarDirectory $var;
    private FakeDb $db;

    private function maintenanceMode(): MaintenanceMode
    {
        $mode = $this->getMockBuilder(MaintenanceMode::class)->disableOriginalConstructor()->getMock();
        $mode->method('isOn')->willReturnCallback(fn () => $this->flag);
        $mode->method('set')->willReturnCallback(function ($on) {
            $this->flag = (bool) $on;
            return true;
        });
        $mode->method('setAddresses')->willReturnCallback(function ($addresses) {
            $this->allowList = $addresses === '' ? [] : explode(',', (string) $addresses);
            return true;
        });
        $mode->method('getAddressInfo')->willReturnCallback(fn () => $this->allowList);
        return $mode;
    }

    private function service(string|false $callerIp = '203.0.113.9'): SetMaintenanceMode
    {
        $this->var ??= new MemoryVarDirectory($this);
        $this->db = (new FakeDb($this))->answer('/LAST_INSERT_ID/', '21');
        $remote = $this->getMockBuilder(RemoteAddress::class)->disableOriginalConstructor()->getMock();
        $remote->method('getRemoteAddress')->willReturn($callerIp);
        $cache = $this->getMockBuilder(TypeListInterface::class)->getMock();
        $cache->method('cleanType')->willReturnCallback(function ($type) {
            $this->cleaned[] = $type;
        });
        $store = new MaintenanceStateStore($this->var->filesystem);
        $mode = $this->maintenanceMode();
        return new SetMaintenanceMode(
            Fixtures::runner($this, $this->db),
            new Input(),
            $store,
            new MaintenanceStatus($store, $mode),
            $mode,
            $remote,
            $cache,
            $this->getMockBuilder(ManagerInterface::class)->getMock(),
            Fixtures::clock($this)
        );
    }

    public function testStorefrontModeLeavesMagentosFlagAloneAndCleansThePageCache(): void
    {
        $result = $this->service()->execute('storefront', 'skimmer', null, 'Back at <b>9</b>', 600);

        self::assertFalse($this->flag);
        self::assertSame('off', $result->getPreviousMode());
        self::assertSame('storefront', $result->getState()->getMode());
        self::assertSame('Back at <b>9</b>', $result->getState()->getMessage());
        self::assertSame(600, $result->getState()->getRetryAfter());
        self::assertSame(['full_page'], $this->cleaned);
    }

    public function testFullModeAlwaysAllowsTheCallerAndRestoresTheAllowListWhenLifted(): void
    {
        $this->allowList = ['198.51.100.1'];
        $result = $this->service()->execute('full', 'skimmer', null, null, 900, ['192.0.2.0/24']);

        self::assertTrue($this->flag);
        self::assertSame(['198.51.100.1', '203.0.113.9', '192.0.2.0/24'], $this->allowList);
        self::assertTrue($result->getState()->isMagentoFlag());
        self::assertSame('full', $result->getState()->getMode());

        $lifted = $this->service()->execute('storefront', 'contained');
        self::assertFalse($this->flag);
        self::assertSame(['198.51.100.1'], $this->allowList);
        self::assertSame('full', $lifted->getPreviousMode());
    }

    public function testFullModeIsRefusedWhenTheCallerIpIsUnknownAndTheRefusalLogged(): void
    {
        try {
            $this->service(false)->execute('full', 'skimmer');
            self::fail('Expected InputException.');
        } catch (InputException $exception) {
            self::assertStringContainsString('lock the caller out', $exception->getMessage());
        }
        self::assertFalse($this->flag);
        self::assertSame(['rejected'], Fixtures::loggedStatuses($this->db));
        self::assertSame([], $this->db->calls('update'));
    }

    public function testBadAllowIpIsRejected(): void
    {
        $this->expectExceptionMessage('Invalid value of "10.0.0.300" provided for the allowIps field.');
        $this->service()->execute('full', 'skimmer', null, null, 900, ['10.0.0.300']);
    }

    public function testRetryAfterOutsideItsRangeIsRejected(): void
    {
        $this->expectException(InputException::class);
        $this->service()->execute('storefront', 'skimmer', null, null, 5);
    }

    public function testGetReportsTheFlagAsFullEvenWhenSetOutsideTheModule(): void
    {
        $this->var = new MemoryVarDirectory($this);
        $this->flag = true;
        $store = new MaintenanceStateStore($this->var->filesystem);
        $state = (new GetMaintenanceMode(new MaintenanceStatus($store, $this->maintenanceMode())))->execute();

        self::assertSame('full', $state->getMode());
        self::assertNull($state->getChangedAt());
    }

    public function testDamagedStateFileKeepsTheStorefrontClosed(): void
    {
        $this->var = new MemoryVarDirectory($this);
        $this->var->files[MaintenanceStateStore::FILE] = '{not json';
        self::assertSame('storefront', (new MaintenanceStateStore($this->var->filesystem))->read()['mode']);
    }
}
