<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Payment;

use Magento\Framework\App\Config\ReinitableConfigInterface;
use Magento\Framework\App\Config\Storage\WriterInterface;
use Magento\Framework\Stdlib\DateTime\DateTime;
use MagentoIr\IncidentResponse\Api\Data\PaymentSuspensionResultInterface;
use MagentoIr\IncidentResponse\Api\ResumePaymentMethodsInterface;
use MagentoIr\IncidentResponse\Model\Action\ActionOutcome;
use MagentoIr\IncidentResponse\Model\Action\ActionRunner;
use MagentoIr\IncidentResponse\Model\Action\Input;
use MagentoIr\IncidentResponse\Model\Data\PaymentSuspensionResult;

/**
 * Writes back the payment/<code>/active values recorded by suspensions (a missing row stays missing).
 */
final class ResumePaymentMethods implements ResumePaymentMethodsInterface
{
    public const ACTION = 'payments.resume';

    public function __construct(
        private readonly ActionRunner $runner,
        private readonly Input $input,
        private readonly PaymentConfig $paymentConfig,
        private readonly WriterInterface $configWriter,
        private readonly ReinitableConfigInterface $appConfig,
        private readonly DateTime $dateTime
    ) {
    }

    /**
     * @inheritdoc
     */
    public function execute(
        string $reason,
        ?string $incidentId = null,
        array $methods = []
    ): PaymentSuspensionResultInterface {
        $request = [
            'reason' => $this->input->reason($reason),
            'incidentId' => $this->input->incidentId($incidentId),
            'methods' => SuspendPaymentMethods::methodCodes($this->input, $methods, false),
        ];
        $response = $this->runner->run(
            self::ACTION,
            $request['reason'],
            $request['incidentId'],
            $request,
            fn (): ActionOutcome => $this->resume($request['methods'])
        );
        return PaymentSuspensionResult::fromArray($response);
    }

    /**
     * @param list<string> $methods
     */
    private function resume(array $methods): ActionOutcome
    {
        $now = $this->dateTime->gmtDate('Y-m-d H:i:s');
        $items = [];
        $prior = [];
        foreach ($methods === [] ? $this->paymentConfig->suspendedMethods() : $methods as $method) {
            $path = PaymentConfig::activePath($method);
            $restored = [];
            foreach ($this->paymentConfig->openSuspensions($method) as $suspension) {
                if ($suspension['value'] === null) {
                    $this->configWriter->delete($path, $suspension['scope'], $suspension['scope_id']);
                } else {
                    $this->configWriter->save(
                        $path,
                        $suspension['value'],
                        $suspension['scope'],
                        $suspension['scope_id']
                    );
                }
                // Newest first: an older record of the same scope overwrites it, so the first prior value wins.
                $key = $suspension['scope'] . '/' . $suspension['scope_id'];
                $restored[$key] = $suspension;
            }
            $this->paymentConfig->markResumed($method, $now);
            $prior[$method] = array_values($restored);
            $items[] = [
                'method' => $method,
                'result' => $restored === [] ? 'not_suspended' : 'resumed',
                'changed' => array_map([SuspendPaymentMethods::class, 'wireScope'], array_values($restored)),
                'locked' => array_map(
                    [SuspendPaymentMethods::class, 'wireScope'],
                    SuspendPaymentMethods::lockedOn($this->paymentConfig->lockedScopes($method))
                ),
            ];
        }
        return new ActionOutcome($prior, ['items' => $items], [fn () => $this->appConfig->reinit()]);
    }
}
