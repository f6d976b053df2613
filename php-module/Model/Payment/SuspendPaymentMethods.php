<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Payment;

use Magento\Framework\App\Config\ReinitableConfigInterface;
use Magento\Framework\App\Config\Storage\WriterInterface;
use Magento\Framework\Exception\InputException;
use Magento\Framework\Phrase;
use Magento\Framework\Stdlib\DateTime\DateTime;
use MagentoIr\IncidentResponse\Api\Data\PaymentSuspensionResultInterface;
use MagentoIr\IncidentResponse\Api\SuspendPaymentMethodsInterface;
use MagentoIr\IncidentResponse\Model\Action\ActionOutcome;
use MagentoIr\IncidentResponse\Model\Action\ActionRunner;
use MagentoIr\IncidentResponse\Model\Action\Input;
use MagentoIr\IncidentResponse\Model\Data\PaymentSuspensionResult;

/**
 * Switches payment methods off at every scope where they are on, recording what was there.
 */
final class SuspendPaymentMethods implements SuspendPaymentMethodsInterface
{
    public const ACTION = 'payments.suspend';
    public const MAX_METHODS = 100;

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
        array $methods,
        string $reason,
        ?string $incidentId = null
    ): PaymentSuspensionResultInterface {
        $request = [
            'methods' => self::methodCodes($this->input, $methods, true),
            'reason' => $this->input->reason($reason),
            'incidentId' => $this->input->incidentId($incidentId),
        ];
        $response = $this->runner->run(
            self::ACTION,
            $request['reason'],
            $request['incidentId'],
            $request,
            fn (): ActionOutcome => $this->suspend($request['methods'])
        );
        return PaymentSuspensionResult::fromArray($response);
    }

    /**
     * @param list<string> $methods
     */
    private function suspend(array $methods): ActionOutcome
    {
        // Refused inside the action so the refusal is logged.
        $unknown = array_values(array_diff($methods, $this->paymentConfig->knownMethods()));
        if ($unknown !== []) {
            throw new InputException(new Phrase(
                'Unknown payment method code(s): %codes.',
                ['codes' => implode(', ', $unknown)]
            ));
        }
        $now = $this->dateTime->gmtDate('Y-m-d H:i:s');
        $items = [];
        $prior = [];
        foreach ($methods as $method) {
            $locked = self::lockedOn($this->paymentConfig->lockedScopes($method));
            $changed = [];
            foreach ($this->paymentConfig->activeScopes($method) as $scope) {
                if (!self::isLocked($scope, $locked)) {
                    $changed[] = $scope;
                }
            }
            foreach ($changed as $scope) {
                $this->configWriter->save(PaymentConfig::activePath($method), '0', $scope['scope'], $scope['scope_id']);
            }
            $this->paymentConfig->recordSuspension($method, $changed, $now);
            $prior[$method] = $changed;
            $items[] = [
                'method' => $method,
                'result' => $changed !== [] ? 'suspended' : ($locked !== [] ? 'locked' : 'already_inactive'),
                'changed' => array_map([self::class, 'wireScope'], $changed),
                'locked' => array_map([self::class, 'wireScope'], $locked),
            ];
        }
        // Reloads the stored config as Magento's own config save does; cleaning the whole config cache type
        // also dropped DI and plugin config, and the next requests spent seconds rebuilding it mid-incident.
        return new ActionOutcome($prior, ['items' => $items], [fn () => $this->appConfig->reinit()]);
    }

    /**
     * @param array<mixed> $methods
     * @return list<string>
     * @throws InputException
     */
    public static function methodCodes(Input $input, array $methods, bool $required): array
    {
        if (count($methods) > self::MAX_METHODS) {
            throw $input->invalid('methods', count($methods) . ' codes (at most ' . self::MAX_METHODS . ')');
        }
        $clean = [];
        foreach ($methods as $method) {
            if (!is_string($method) || preg_match('/^[a-z0-9_]{1,64}$/', $method) !== 1) {
                throw $input->invalid('methods', is_scalar($method) ? (string) $method : gettype($method));
            }
            $clean[$method] = $method;
        }
        if ($required && $clean === []) {
            throw $input->required('methods');
        }
        return array_values($clean);
    }

    /**
     * Locks that keep the method on (a lock to 0 needs no change).
     *
     * @param list<array{scope: string, scope_id: int, value: string}> $locked
     * @return list<array{scope: string, scope_id: int, value: string}>
     */
    public static function lockedOn(array $locked): array
    {
        return array_values(array_filter($locked, static fn (array $scope): bool => (bool) $scope['value']));
    }

    /**
     * @param array{scope: string, scope_id: int, value: string|null} $scope
     * @param list<array{scope: string, scope_id: int, value: string}> $locked
     */
    private static function isLocked(array $scope, array $locked): bool
    {
        foreach ($locked as $lock) {
            if ($lock['scope'] === $scope['scope'] && $lock['scope_id'] === $scope['scope_id']) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param array{scope: string, scope_id: int, value: string|null} $scope
     * @return array<string, int|string>
     */
    public static function wireScope(array $scope): array
    {
        $wire = ['scope' => $scope['scope'], 'scope_id' => $scope['scope_id']];
        if ($scope['value'] !== null) {
            $wire['value'] = $scope['value'];
        }
        return $wire;
    }
}
