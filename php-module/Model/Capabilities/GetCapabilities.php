<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Capabilities;

use Magento\Framework\App\DeploymentConfig;
use Magento\Framework\App\ProductMetadataInterface;
use MagentoIr\IncidentResponse\Api\Data\CapabilitiesInterface;
use MagentoIr\IncidentResponse\Api\GetCapabilitiesInterface;
use MagentoIr\IncidentResponse\Model\Admin\LockdownAdmins;
use MagentoIr\IncidentResponse\Model\Admin\RestoreAdmins;
use MagentoIr\IncidentResponse\Model\Catalog\QuarantineProducts;
use MagentoIr\IncidentResponse\Model\Catalog\ReleaseProducts;
use MagentoIr\IncidentResponse\Model\Customer\ForcePasswordReset;
use MagentoIr\IncidentResponse\Model\Data\Capabilities;
use MagentoIr\IncidentResponse\Model\Guard\AddGuardRule;
use MagentoIr\IncidentResponse\Model\Guard\RemoveGuardRules;
use MagentoIr\IncidentResponse\Model\Maintenance\MaintenanceStatus;
use MagentoIr\IncidentResponse\Model\Maintenance\SetMaintenanceMode;
use MagentoIr\IncidentResponse\Model\Payment\ResumePaymentMethods;
use MagentoIr\IncidentResponse\Model\Payment\SuspendPaymentMethods;
use MagentoIr\IncidentResponse\Model\Sales\HoldOrders;
use MagentoIr\IncidentResponse\Model\Sales\UnholdOrders;
use MagentoIr\IncidentResponse\Model\Session\TerminateSessions;

/**
 * Tells the SDK that the module is there and what it can do.
 */
final class GetCapabilities implements GetCapabilitiesInterface
{
    /** Released version of magento-ir/module-incident-response; bump with every tag. */
    public const MODULE_VERSION = '1.0.0';

    public const ACTIONS = [
        TerminateSessions::ACTION,
        QuarantineProducts::ACTION,
        ReleaseProducts::ACTION,
        HoldOrders::ACTION,
        UnholdOrders::ACTION,
        SetMaintenanceMode::ACTION,
        SuspendPaymentMethods::ACTION,
        ResumePaymentMethods::ACTION,
        LockdownAdmins::ACTION,
        RestoreAdmins::ACTION,
        ForcePasswordReset::ACTION,
        AddGuardRule::ACTION,
        RemoveGuardRules::ACTION,
    ];

    public function __construct(
        private readonly ProductMetadataInterface $productMetadata,
        private readonly DeploymentConfig $deploymentConfig,
        private readonly MaintenanceStatus $maintenanceStatus
    ) {
    }

    /**
     * @inheritdoc
     */
    public function execute(): CapabilitiesInterface
    {
        $storage = $this->deploymentConfig->get('session/save');
        return Capabilities::fromArray([
            'module_version' => self::MODULE_VERSION,
            'magento_version' => (string) $this->productMetadata->getVersion(),
            'actions' => self::ACTIONS,
            'session_storage' => is_string($storage) && $storage !== '' ? $storage : 'files',
            'maintenance_mode' => $this->maintenanceStatus->current()['mode'],
        ]);
    }
}
