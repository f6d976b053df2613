<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Model\Capabilities;

use Magento\Framework\App\DeploymentConfig;
use Magento\Framework\App\MaintenanceMode;
use Magento\Framework\App\ProductMetadataInterface;
use MagentoIr\IncidentResponse\Model\Capabilities\GetCapabilities;
use MagentoIr\IncidentResponse\Model\Maintenance\MaintenanceStateStore;
use MagentoIr\IncidentResponse\Model\Maintenance\MaintenanceStatus;
use MagentoIr\IncidentResponse\Test\Unit\Support\MemoryVarDirectory;
use PHPUnit\Framework\TestCase;

final class GetCapabilitiesTest extends TestCase
{
    public function testReportsVersionsActionsSessionStorageAndMaintenance(): void
    {
        $metadata = $this->getMockBuilder(ProductMetadataInterface::class)->getMock();
        $metadata->method('getVersion')->willReturn('2.4.7-p3');
        $deployment = $this->getMockBuilder(DeploymentConfig::class)->disableOriginalConstructor()->getMock();
        $deployment->method('get')->willReturnCallback(static fn ($key) => $key === 'session/save' ? 'redis' : null);
        $var = new MemoryVarDirectory($this);
        $var->files[MaintenanceStateStore::FILE] = '{"mode":"checkout","retry_after":900}';
        $maintenanceMode = $this->getMockBuilder(MaintenanceMode::class)->disableOriginalConstructor()->getMock();
        $maintenanceMode->method('getAddressInfo')->willReturn([]);
        $status = new MaintenanceStatus(new MaintenanceStateStore($var->filesystem), $maintenanceMode);

        $capabilities = (new GetCapabilities($metadata, $deployment, $status))->execute();

        self::assertSame('1.0.0', $capabilities->getModuleVersion());
        self::assertSame('2.4.7-p3', $capabilities->getMagentoVersion());
        self::assertSame('redis', $capabilities->getSessionStorage());
        self::assertSame('checkout', $capabilities->getMaintenanceMode());
        self::assertContains('catalog.quarantine', $capabilities->getActions());
        self::assertContains('guard.rule_add', $capabilities->getActions());
        self::assertContains('orders.hold', $capabilities->getActions());
        self::assertContains('orders.unhold', $capabilities->getActions());
        self::assertCount(13, $capabilities->getActions());
    }
}
